"""The class summary: counts from the grade records, feedback grouped, attempts told from non-attempts."""

from __future__ import annotations

from losslab.grading.class_summary import build_report, shorten

EX_A, EX_B, EX_C = "01_alpha", "02_beta", "03_gamma"


def test_counts_come_from_the_grade_records(small_class):
    report = build_report(small_class)
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
