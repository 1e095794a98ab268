"""The class report: written self-contained (the plot embedded), every learner's text escaped."""

from __future__ import annotations

import base64
import csv
import io
import re

from losslab.grading.class_summary import build_report
from losslab.grading.report import report_markdown, write_class_report

EX_A, EX_B, EX_C = "01_alpha", "02_beta", "03_gamma"


def test_files_are_written_self_contained_and_escaped(tmp_path, small_class):
    html_path = write_class_report(tmp_path, small_class)
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


def test_an_empty_or_perfect_class_still_gets_a_report(tmp_path, small_class):
    write_class_report(tmp_path, [])
    assert "0 learners" in (tmp_path / "report.html").read_text(encoding="utf-8")
    write_class_report(tmp_path, small_class[:1])
    assert "No learner who attempted a check lost it" in (tmp_path / "report.html").read_text(
        encoding="utf-8"
    )
    assert "| 01_alpha | 1 / 1 | 1 | 3.0 / 3 |" in report_markdown(build_report(small_class[:1]))
