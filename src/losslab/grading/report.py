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
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from losslab.grading.class_summary import (
    HISTOGRAM_BINS,
    TOP_MESSAGES,
    CheckSummary,
    ClassReport,
    build_report,
    total_stats,
)
from losslab.grading.results import write_atomically

__all__ = [
    "report_html",
    "report_markdown",
    "totals_figure_png",
    "write_class_report",
]


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
        *[f'<tr><th>{_e(k)}</th><td class="n">{_e(v)}</td></tr>' for k, v in total_stats(report)],
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
    lines += ["", "| | |", "|---|---:|"] + [f"| {k} | {v} |" for k, v in total_stats(report)]
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
