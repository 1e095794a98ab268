"""What the grader records and writes: one grade per learner and exercise, the grade sheet, the feedback.

* :class:`ExerciseGrade` (with its :class:`TestOutcome` rows) - saved as JSON per graded notebook;
* :func:`write_grade_sheet` - ``grades.csv``; :func:`write_not_graded` - ``not_graded.csv``;
* :func:`feedback_markdown` - one Markdown page per learner.

Everything learner-controlled is made harmless on the way out: spreadsheet cells cannot
become formulas (:func:`~losslab.grading.class_folders.csv_cell`), and a message in the
feedback shows at most a short excerpt (a learner's error text, or a test's message quoting
the grader's hidden inputs, is cut at 300 characters).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from losslab.grading.class_folders import NotGraded, csv_cell

__all__ = [
    "ExerciseGrade",
    "TestOutcome",
    "exercise_markdown",
    "feedback_markdown",
    "write_atomically",
    "write_grade_sheet",
    "write_not_graded",
]

_RESULT_FORMAT = 2
_MESSAGE_CHARS = 300  # feedback shows at most this much of one message (no hidden inputs in full)


@dataclass
class TestOutcome:
    """One test of one notebook: what it tests, its points, and why it failed."""

    target: str
    name: str
    points: int
    max_points: int
    message: str = ""


@dataclass
class ExerciseGrade:
    """The grade of one learner on one exercise, with everything the feedback shows."""

    learner: str
    exercise: str
    points: int
    max_points: int
    tests: list[TestOutcome]
    problems: list[str] = field(default_factory=list)
    submission: str | None = None
    submission_sha256: str | None = None
    fingerprint: str = ""
    seconds: float = 0.0
    confinement: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"format": _RESULT_FORMAT, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict) -> ExerciseGrade:
        fields = {k: v for k, v in data.items() if k != "format"}
        fields["tests"] = [TestOutcome(**t) for t in fields["tests"]]
        return cls(**fields)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_grade_sheet(path: Path, grades: Sequence[ExerciseGrade]) -> None:
    """``learner,exercise,points,max_points``, sorted by learner then exercise (no cell is a formula)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["learner", "exercise", "points", "max_points"])
    for g in sorted(grades, key=lambda g: (g.learner, g.exercise)):
        writer.writerow([csv_cell(g.learner), csv_cell(g.exercise), g.points, g.max_points])
    write_atomically(path, buffer.getvalue())


def write_not_graded(path: Path, skipped: Sequence[NotGraded]) -> None:
    """``name,reason``: every entry of SUBMISSIONS that got no row, and why."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "reason"])
    for entry in skipped:
        writer.writerow([csv_cell(entry.name), entry.reason])
    write_atomically(path, buffer.getvalue())


def _one_line(text: str, limit: int = _MESSAGE_CHARS) -> str:
    text = "".join(ch if ch.isprintable() or ch == "\n" else "?" for ch in str(text))
    if len(text) > limit:
        text = text[:limit] + " [...]"
    return text.strip().replace("\n", "\n  ")


def exercise_markdown(grade: ExerciseGrade, heading: str = "##") -> list[str]:
    lines = [f"{heading} {grade.exercise}: {grade.points} / {grade.max_points} points", ""]
    if grade.submission is None:
        reason = "; ".join(grade.problems) or "not handed in"
        return lines + [f"{_one_line(reason)} ({len(grade.tests)} tests not run).", ""]
    if grade.submission:
        lines += [f"Graded from `{grade.submission}`.", ""]
    if grade.problems:
        lines += ["While running your notebook:", ""]
        lines += [f"- {_one_line(p)}" for p in grade.problems]
        lines.append("")
    lines += ["| | test | points |", "|---|---|---|"]
    for t in grade.tests:
        mark = "✔" if t.points == t.max_points else "✘"
        lines.append(f"| {mark} | `{t.target}`: {t.name} | {t.points} / {t.max_points} |")
    failed = [t for t in grade.tests if t.points < t.max_points]
    not_run = [t for t in failed if t.message.startswith("not run")]
    failed = [t for t in failed if not t.message.startswith("not run")]
    if failed or not_run:
        lines += ["", "What went wrong:", ""]
        lines += [f"- **`{t.target}`: {t.name}**: {_one_line(t.message)}" for t in failed]
        for message in dict.fromkeys(t.message for t in not_run):
            count = sum(t.message == message for t in not_run)
            lines.append(f"- {count} test{'s' if count > 1 else ''} {_one_line(message)}")
    lines.append("")
    return lines


def feedback_markdown(learner: str, grades: Sequence[ExerciseGrade]) -> str:
    """A learner's feedback: total, a line per exercise, then each exercise's tests and failures."""
    grades = sorted(grades, key=lambda g: g.exercise)
    total, best = sum(g.points for g in grades), sum(g.max_points for g in grades)
    lines = [f"# Loss Lab feedback: {learner}", "", f"**Total: {total} / {best} points**", ""]
    lines += ["| exercise | points |", "|---|---|"]
    lines += [f"| {g.exercise} | {g.points} / {g.max_points} |" for g in grades]
    lines.append("")
    for grade in grades:
        lines += exercise_markdown(grade)
    return "\n".join(lines)
