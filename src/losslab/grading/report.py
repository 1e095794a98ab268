"""The class report: on one page, what a class lost and why, so an instructor sees what to re-teach.

Written by ``losslab grade SUBMISSIONS --out OUT`` after the grade sheet, from the
same grade records (:class:`~losslab.grading.results.ExerciseGrade`):

* ``OUT/report.html``: self-contained (the plot is an embedded PNG, the style inline);
* ``OUT/report.md``: the same tables in Markdown;
* ``OUT/report-checks.csv`` and ``OUT/report-totals.csv``: the per-check table and
  each learner's total, for a spreadsheet.

Contents: the distribution of learners' totals (a histogram and a table) over the
exercises anyone handed in, each exercise's hand-in count and mean, then per exercise
and per check how many of the learners who handed the notebook in lost the check,
how many of those had not attempted it (a stub, a missing function, a notebook that
did not run), and the most frequent feedback on the others' mistakes (shortened;
messages that differ only in numbers count as one). A notebook not handed in is
counted once per exercise, not as a lost check.

Feedback quotes what learners' code raised, so every text is escaped: HTML, Markdown
table cells, and CSV cells that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from losslab.grading.results import write_atomically

__all__ = [
    "CheckSummary",
    "ClassReport",
    "ExerciseSummary",
    "build_report",
    "report_html",
    "report_markdown",
    "shorten",
    "totals_figure_png",
    "write_class_report",
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


def totals_figure_png(report: ClassReport) -> bytes:
    """Two panels as PNG bytes: learners' totals (histogram, % of the maximum) and each exercise's mean."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9.0, 3.4), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1.0]})
    shares = [100 * p / m if m else 0.0 for p, m in report.totals.values()]
    left.hist(shares, bins=[10 * i for i in range(HISTOGRAM_BINS + 1)], color="#1f77b4", edgecolor="white")
    if shares:
        median = statistics.median(shares)
        left.axvline(median, color="#d62728", lw=1.5, ls="--", label=f"median {median:.0f} %")
        left.legend(loc="upper right", frameon=False)
    left.set_xlim(0, 100)
    left.set_xlabel("total, % of the maximum")
    left.set_ylabel("learners")
    left.yaxis.get_major_locator().set_params(integer=True)
    left.set_title(f"Totals of {len(shares)} learners")
    names = [e.exercise.split("_", 1)[0] for e in report.counted]
    means = [100 * e.mean_points / e.max_points if e.max_points else 0.0 for e in report.counted]
    bars = right.bar(names, means, color="#2ca02c")
    right.bar_label(bars, fmt="%.0f", fontsize=8)
    right.set_ylim(0, 105)
    right.set_xlabel("exercise")
    right.set_ylabel("mean, % of its points")
    right.set_title("Mean score per exercise")
    for ax in (left, right):
        ax.spines[["top", "right"]].set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _total_stats(report: ClassReport) -> list[tuple[str, str]]:
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


# --- HTML ----------------------------------------------------------------------

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;color:#222}
h1{font-size:1.5em;margin-bottom:0} h2{margin-top:1.6em;border-bottom:1px solid #ddd}
p.sub{color:#555;margin-top:4px} table{border-collapse:collapse;margin:8px 0 16px}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top;font-size:0.92em}
th{background:#f4f6f8} td.n{text-align:right;white-space:nowrap} .bar{display:inline-block;height:10px;
background:#d62728;vertical-align:middle;margin-right:6px} .ok{color:#2e7d32} ul.msg{margin:0;padding-left:18px}
.flex{display:flex;gap:24px;align-items:flex-start;flex-wrap:wrap} img{max-width:100%}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _bar(share: float) -> str:
    return f'<span class="bar" style="width:{round(60 * share)}px"></span>{share:.0%}'


def _messages_html(check: CheckSummary) -> str:
    if not check.messages:
        return ""
    items = "".join(f"<li>{_e(text)} <b>×{n}</b></li>" for text, n in check.messages)
    return f'<ul class="msg">{items}</ul>'


def _counted_note(report: ClassReport) -> str:
    counted = [e.exercise.split("_", 1)[0] for e in report.counted]
    missing = [e.exercise.split("_", 1)[0] for e in report.exercises if not e.handed_in]
    best = max((m for _, m in report.totals.values()), default=0)
    note = f"Totals are over the exercises anyone handed in ({', '.join(counted) or 'none'}; {best} points)"
    return note + (f"; nobody handed in {', '.join(missing)}." if missing else ".")


def _check_cells(c: CheckSummary) -> str:
    skipped = f"{c.not_attempted}" if c.not_attempted else ""
    return (
        f'<td class="n">{c.lost} / {c.graded} {_bar(c.lost_share)}</td><td class="n">{skipped}</td>'
        f"<td>{_messages_html(c)}</td>"
    )


def report_html(report: ClassReport, png: bytes | None = None) -> str:
    """The report as one self-contained HTML page (``png``: the totals figure, embedded)."""
    png = totals_figure_png(report) if png is None else png
    image = base64.b64encode(png).decode("ascii")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>Loss Lab class report</title>',
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Loss Lab class report</h1>",
        f'<p class="sub">{len(report.totals)} learners, {len(report.exercises)} exercises, '
        f"{len(report.checks)} checks. Counts are over the learners who handed the notebook in; "
        "&ldquo;not attempted&rdquo; counts a stub, a missing function or a notebook that did not run, "
        "whose feedback is not listed. The grade sheet is grades.csv; each learner's feedback is in "
        "feedback/.</p>",
        "<h2>Totals</h2>",
        f'<p class="sub">{_e(_counted_note(report))}</p>',
        '<div class="flex">',
        f'<img alt="Histogram of learners\' totals and mean score per exercise" src="data:image/png;base64,{image}">',
        "<div><table><tr><th>total (% of maximum)</th><th>learners</th></tr>",
        *[f'<tr><td>{_e(b)}</td><td class="n">{n}</td></tr>' for b, n in report.histogram],
        "</table></div><div><table>",
        *[f'<tr><th>{_e(k)}</th><td class="n">{_e(v)}</td></tr>' for k, v in _total_stats(report)],
        "</table></div></div>",
        "<h2>Exercises</h2>",
        "<table><tr><th>exercise</th><th>handed in</th><th>full marks</th><th>mean points</th></tr>",
    ]
    for ex in report.exercises:
        parts.append(
            f'<tr><td>{_e(ex.exercise)}</td><td class="n">{ex.handed_in} / {ex.learners}</td>'
            f'<td class="n">{ex.full_marks}</td><td class="n">{ex.mean_points:.1f} / {ex.max_points}</td></tr>'
        )
    parts.append("</table>")
    most = report.most_lost()
    parts.append("<h2>What to re-teach: the checks most often attempted and lost</h2>")
    if most:
        parts.append(
            "<table><tr><th>exercise</th><th>check</th><th>attempted and lost</th>"
            "<th>most frequent feedback</th></tr>"
        )
        for c in most:
            parts.append(
                f"<tr><td>{_e(c.exercise)}</td><td><code>{_e(c.target)}</code>: {_e(c.name)}</td>"
                f'<td class="n">{c.mistakes} / {c.graded} {_bar(c.mistake_share)}</td>'
                f"<td>{_messages_html(c)}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append('<p class="ok">No learner who attempted a check lost it.</p>')
    for ex in report.counted:
        parts += [
            f"<h2>{_e(ex.exercise)}</h2>",
            "<table><tr><th>check</th><th>points</th><th>lost by</th><th>not attempted</th>"
            "<th>most frequent feedback</th></tr>",
        ]
        for c in (c for c in report.checks if c.exercise == ex.exercise):
            parts.append(
                f"<tr><td><code>{_e(c.target)}</code>: {_e(c.name)}</td><td class='n'>{c.max_points}</td>"
                f"{_check_cells(c)}</tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


# --- Markdown and CSV ----------------------------------------------------------


def _md(text: Any) -> str:
    """A Markdown table cell: pipes, backticks and angle brackets neutralised."""
    return html.escape(str(text)).replace("|", "\\|").replace("`", "'")


def report_markdown(report: ClassReport) -> str:
    """The report's tables in Markdown (no plot)."""
    lines = [
        "# Loss Lab class report",
        "",
        f"{len(report.totals)} learners, {len(report.exercises)} exercises.",
        "",
    ]
    lines += ["## Totals", "", _md(_counted_note(report)), ""]
    lines += ["| total (% of maximum) | learners |", "|---|---:|"]
    lines += [f"| {b} | {n} |" for b, n in report.histogram]
    lines += ["", "| | |", "|---|---:|"] + [f"| {k} | {v} |" for k, v in _total_stats(report)]
    lines += [
        "",
        "## Exercises",
        "",
        "| exercise | handed in | full marks | mean points |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {_md(e.exercise)} | {e.handed_in} / {e.learners} | {e.full_marks} | {e.mean_points:.1f} / {e.max_points} |"
        for e in report.exercises
    ]
    lines += ["", "## What to re-teach: the checks most often attempted and lost", ""]
    lines += ["| exercise | check | attempted and lost | most frequent feedback |", "|---|---|---:|---|"]
    for c in report.most_lost():
        said = "<br>".join(f"{_md(text)} (×{n})" for text, n in c.messages)
        lines.append(
            f"| {_md(c.exercise)} | {_md(c.target)}: {_md(c.name)} | {c.mistakes} / {c.graded} | {said} |"
        )
    for ex in report.counted:
        lines += ["", f"## {_md(ex.exercise)}", ""]
        lines += [
            "| check | points | lost by | not attempted | most frequent feedback |",
            "|---|---:|---:|---:|---|",
        ]
        for c in (c for c in report.checks if c.exercise == ex.exercise):
            said = "<br>".join(f"{_md(text)} (×{n})" for text, n in c.messages)
            lines.append(
                f"| {_md(c.target)}: {_md(c.name)} | {c.max_points} | {c.lost} / {c.graded} | {c.not_attempted} | {said} |"
            )
    return "\n".join(lines) + "\n"


def _csv_cell(value: Any) -> Any:
    """Keep a spreadsheet from running a learner's text as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _checks_csv(report: ClassReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = [
        "exercise",
        "target",
        "check",
        "max_points",
        "handed_in",
        "lost",
        "not_attempted",
        "points_lost",
    ]
    writer.writerow(header + [f"message_{i + 1}" for i in range(TOP_MESSAGES)])
    for c in report.checks:
        said = [f"{text} (x{n})" for text, n in c.messages] + [""] * (TOP_MESSAGES - len(c.messages))
        row = [
            c.exercise,
            c.target,
            c.name,
            c.max_points,
            c.graded,
            c.lost,
            c.not_attempted,
            c.points_lost,
            *said,
        ]
        writer.writerow([_csv_cell(v) for v in row])
    return buffer.getvalue()


def _totals_csv(report: ClassReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["learner", "points", "max_points"])
    for learner, (points, best) in report.totals.items():
        writer.writerow([_csv_cell(learner), points, best])
    return buffer.getvalue()


def write_class_report(out: str | Path, grades: Sequence[Any]) -> Path:
    """Write ``report.html``, ``report.md``, ``report-checks.csv`` and ``report-totals.csv`` into ``out``.

    Returns the path of the HTML page.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    report = build_report(grades)
    write_atomically(out / "report.html", report_html(report))
    write_atomically(out / "report.md", report_markdown(report))
    write_atomically(out / "report-checks.csv", _checks_csv(report))
    write_atomically(out / "report-totals.csv", _totals_csv(report))
    return out / "report.html"
