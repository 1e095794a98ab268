"""The class report: counts from the grade records, grouped feedback, an embedded plot, escaped text."""

from __future__ import annotations

import base64
import csv
import io
import re

from losslab.grading import results as grading
from losslab.grading.report import build_report, report_markdown, shorten, write_class_report

EX_A, EX_B, EX_C = "01_alpha", "02_beta", "03_gamma"


def _grade(learner, exercise, outcomes, handed_in=True):
    tests = [grading.TestOutcome(t, n, p, m, msg) for t, n, p, m, msg in outcomes]
    return grading.ExerciseGrade(
        learner,
        exercise,
        sum(t.points for t in tests),
        sum(t.max_points for t in tests),
        tests,
        submission=f"{exercise}.ipynb" if handed_in else None,
    )


def _class():
    ok_a = [("f", "values", 2, 2, ""), ("g", "shapes", 1, 1, "")]
    return [
        _grade("ann", EX_A, ok_a),
        _grade(
            "bob", EX_A, [("f", "values", 0, 2, "got 0.31, expected 0.69\nmore"), ("g", "shapes", 1, 1, "")]
        ),
        _grade(
            "cyd", EX_A, [("f", "values", 0, 2, "got 0.5, expected 0.7"), ("g", "shapes", 0, 1, "<b>|=x")]
        ),
        _grade("ann", EX_B, [("h", "runs", 3, 3, "")]),
        _grade("bob", EX_B, [("h", "runs", 0, 3, "not run: no notebook")], handed_in=False),
        _grade("cyd", EX_B, [("h", "runs", 0, 3, '=HYPERLINK("x")')]),
        _grade(
            "dee", EX_A, [("f", "values", 0, 2, "not implemented yet: replace it"), ("g", "shapes", 1, 1, "")]
        ),
        _grade("dee", EX_B, [("h", "runs", 0, 3, "not run: the notebook could not be read")]),
        *[
            _grade(who, EX_C, [("k", "k", 0, 4, "not run: no notebook")], handed_in=False)
            for who in ("ann", "bob", "cyd", "dee")
        ],
    ]


def test_counts_come_from_the_grade_records():
    report = build_report(_class())
    # totals over the exercises anyone handed in (nobody handed in EX_C)
    assert report.totals == {"ann": (6, 6), "bob": (1, 6), "cyd": (0, 6), "dee": (1, 6)}
    assert [e.exercise for e in report.counted] == [EX_A, EX_B]
    a, b, c = report.exercises
    assert (a.exercise, a.learners, a.handed_in, a.full_marks, a.points) == (EX_A, 4, 4, 1, 5)
    assert (b.handed_in, b.full_marks, b.points) == (3, 1, 3)
    assert (c.exercise, c.handed_in, c.learners) == (EX_C, 0, 4)
    by = {(c.exercise, c.target): c for c in report.checks}
    f = by[EX_A, "f"]
    assert (f.graded, f.lost, f.not_attempted, f.mistakes, f.points_lost) == (4, 3, 1, 2, 6)
    # messages differing only in numbers are one message, shown by its first example's first line;
    # "not implemented" is counted, not listed
    assert f.messages == [("got 0.31, expected 0.69", 2)]
    # a notebook not handed in is not a lost check; one that did not run is lost, not attempted
    h = by[EX_B, "h"]
    assert (h.graded, h.lost, h.not_attempted) == (3, 2, 1)
    assert report.most_lost()[0] is f
    assert dict(report.histogram)["0-10 %"] == 1 and dict(report.histogram)["90-100 %"] == 1
    assert sum(n for _, n in report.histogram) == 4


def test_shorten_keeps_one_printable_line():
    assert shorten("first   line\nsecond") == "first line"
    assert shorten("x" * 300, limit=20) == "x" * 19 + "…"
    assert shorten("a\x00b") == "a?b"


def test_files_are_written_self_contained_and_escaped(tmp_path):
    html_path = write_class_report(tmp_path, _class())
    page = html_path.read_text(encoding="utf-8")
    [image] = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert base64.b64decode(image).startswith(b"\x89PNG\r\n\x1a\n")
    assert "<b>|=x" not in page and "&lt;b&gt;|=x" in page
    assert "http" not in page.replace("HYPERLINK(&quot;x&quot;)", "")  # nothing fetched from anywhere
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "&lt;b&gt;\\|=x" in markdown
    rows = list(csv.DictReader(io.StringIO((tmp_path / "report-checks.csv").read_text(encoding="utf-8"))))
    assert [(r["exercise"], r["target"], r["lost"], r["not_attempted"]) for r in rows] == [
        (EX_A, "f", "3", "1"),
        (EX_A, "g", "1", "0"),
        (EX_B, "h", "2", "1"),
        (EX_C, "k", "0", "0"),
    ]
    assert rows[2]["message_1"].startswith("'=HYPERLINK")  # a spreadsheet shows it, does not run it
    totals = (tmp_path / "report-totals.csv").read_text(encoding="utf-8").splitlines()
    assert totals == ["learner,points,max_points", "ann,6,6", "bob,1,6", "cyd,0,6", "dee,1,6"]


def test_an_empty_or_perfect_class_still_gets_a_report(tmp_path):
    write_class_report(tmp_path, [])
    assert "0 learners" in (tmp_path / "report.html").read_text(encoding="utf-8")
    write_class_report(tmp_path, _class()[:1])
    assert "No learner who attempted a check lost it" in (tmp_path / "report.html").read_text(
        encoding="utf-8"
    )
    assert "| 01_alpha | 1 / 1 | 1 | 3.0 / 3 |" in report_markdown(build_report(_class()[:1]))
