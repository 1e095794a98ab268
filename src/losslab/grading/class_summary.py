"""The class summary behind the class report: per exercise and per check, who lost what and why.

:func:`build_report` turns grade records (:class:`~losslab.grading.results.ExerciseGrade`)
into counts: learners' totals over the exercises anyone handed in, each exercise's
hand-ins and mean, and per check how many of the learners who handed the notebook in
lost it, how many of those had not attempted it, and the most frequent feedback on the
others' mistakes (shortened; messages that differ only in numbers count as one).
:mod:`losslab.grading.report` renders it.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "HISTOGRAM_BINS",
    "TOP_MESSAGES",
    "CheckSummary",
    "ClassReport",
    "ExerciseSummary",
    "build_report",
    "shorten",
    "total_stats",
]

TOP_MESSAGES = 3
MESSAGE_CHARS = 140
HISTOGRAM_BINS = 10  # 0-10 %, ..., 90-100 % of the maximum total

# Feedback that says the check could not judge any attempt (counted, not listed as a mistake).
_NOT_ATTEMPTED = re.compile(r"^(not implemented yet|not run:|`\w+` is not defined: run its cell)")
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def shorten(message: str, limit: int = MESSAGE_CHARS) -> str:
    """The first line of ``message``, whitespace collapsed, cut at ``limit`` characters with "…"."""
    first = next((line.strip() for line in str(message).splitlines() if line.strip()), "")
    first = " ".join(first.split())
    first = "".join(ch if ch.isprintable() else "?" for ch in first)
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def _message_key(message: str) -> str:
    """Messages that differ only in their numbers share a key."""
    return _NUMBER.sub("#", shorten(message, 10_000))


@dataclass
class CheckSummary:
    """One check of one exercise over the class."""

    exercise: str
    target: str
    name: str
    max_points: int
    graded: int = 0  # learners who handed the notebook in
    lost: int = 0  # of those, how many did not get every point
    not_attempted: int = 0  # of those who lost it: a stub, a missing function, a notebook that did not run
    points_lost: int = 0
    messages: list[tuple[str, int]] = field(
        default_factory=list
    )  # the mistakes' feedback, most frequent first

    @property
    def mistakes(self) -> int:
        """Learners who attempted the check and lost it."""
        return self.lost - self.not_attempted

    @property
    def lost_share(self) -> float:
        return self.lost / self.graded if self.graded else 0.0

    @property
    def mistake_share(self) -> float:
        return self.mistakes / self.graded if self.graded else 0.0


@dataclass
class ExerciseSummary:
    exercise: str
    max_points: int
    learners: int = 0
    handed_in: int = 0
    full_marks: int = 0
    points: int = 0  # summed over every learner (as in grades.csv)

    @property
    def mean_points(self) -> float:
        return self.points / self.learners if self.learners else 0.0


@dataclass
class ClassReport:
    totals: dict[str, tuple[int, int]]  # learner -> (points, max points) over the exercises anyone handed in
    exercises: list[ExerciseSummary]
    checks: list[CheckSummary]

    @property
    def counted(self) -> list[ExerciseSummary]:
        """The exercises in the totals: those at least one learner handed in."""
        return [e for e in self.exercises if e.handed_in]

    @property
    def histogram(self) -> list[tuple[str, int]]:
        """Learners per tenth of the maximum total: ``[("0-10 %", n), ..., ("90-100 %", n)]``."""
        counts = [0] * HISTOGRAM_BINS
        for points, best in self.totals.values():
            share = points / best if best else 0.0
            counts[min(int(share * HISTOGRAM_BINS), HISTOGRAM_BINS - 1)] += 1
        step = 100 // HISTOGRAM_BINS
        return [(f"{i * step}-{(i + 1) * step} %", n) for i, n in enumerate(counts)]

    def most_lost(self, n: int = 8) -> list[CheckSummary]:
        """The checks the largest share of learners attempted and lost (ties: more points lost first)."""
        lost = [c for c in self.checks if c.mistakes]
        return sorted(lost, key=lambda c: (-c.mistake_share, -c.points_lost, c.exercise, c.target))[:n]


def build_report(grades: Sequence[Any]) -> ClassReport:
    """Summarise grade records (objects with learner, exercise, points, max_points, tests, submission)."""
    exercises: dict[str, ExerciseSummary] = {}
    checks: dict[tuple[str, str, str], CheckSummary] = {}
    messages: dict[tuple[str, str, str], Counter] = {}
    examples: dict[str, str] = {}
    for grade in sorted(grades, key=lambda g: (g.exercise, g.learner)):
        ex = exercises.setdefault(grade.exercise, ExerciseSummary(grade.exercise, grade.max_points))
        ex.max_points = max(ex.max_points, grade.max_points)
        ex.learners += 1
        ex.points += grade.points
        handed_in = grade.submission is not None
        ex.handed_in += handed_in
        ex.full_marks += handed_in and grade.points == grade.max_points
        for test in grade.tests:
            key = (grade.exercise, test.target, test.name)
            summary = checks.setdefault(
                key, CheckSummary(grade.exercise, test.target, test.name, test.max_points)
            )
            if not handed_in:
                continue
            summary.graded += 1
            if test.points < test.max_points:
                summary.lost += 1
                summary.points_lost += test.max_points - test.points
                if _NOT_ATTEMPTED.match(test.message or ""):
                    summary.not_attempted += 1
                    continue
                text = _message_key(test.message or "no message")
                examples.setdefault(text, shorten(test.message or "no message"))
                messages.setdefault(key, Counter())[text] += 1
    for key, counter in messages.items():
        ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:TOP_MESSAGES]
        checks[key].messages = [(examples[text], n) for text, n in ranked]
    counted = {e.exercise for e in exercises.values() if e.handed_in}
    totals: dict[str, list[int]] = {}
    for grade in grades:
        total = totals.setdefault(grade.learner, [0, 0])
        if grade.exercise in counted:
            total[0] += grade.points
            total[1] += grade.max_points
    return ClassReport(
        totals={learner: (p, m) for learner, (p, m) in sorted(totals.items())},
        exercises=[exercises[e] for e in sorted(exercises)],
        checks=list(checks.values()),
    )


def total_stats(report: ClassReport) -> list[tuple[str, str]]:
    points = [p for p, _ in report.totals.values()]
    best = max((m for _, m in report.totals.values()), default=0)
    if not points:
        return [("learners", "0")]
    return [
        ("learners", str(len(points))),
        ("maximum total", str(best)),
        ("lowest", str(min(points))),
        ("median", f"{statistics.median(points):g}"),
        ("mean", f"{statistics.mean(points):.1f}"),
        ("highest", str(max(points))),
    ]
