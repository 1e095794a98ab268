"""Reading SUBMISSIONS: every entry graded or reported, printable names, safe CSV cells, options."""

from __future__ import annotations

import os

import pytest

from losslab.grading.class_folders import (
    MIN_MEMORY_MB,
    check_options,
    csv_cell,
    learner_folders,
    printable_name,
)


def test_every_entry_is_a_learner_or_has_a_reason(tmp_path):
    subs = tmp_path / "subs"
    for name in ("ada", "_grace", ".git", "=cmd", "new\nline"):
        (subs / name).mkdir(parents=True)
    (subs / os.fsdecode(b"caf\xe9")).mkdir()
    (subs / "notes.txt").write_text("x")
    (subs / "link").symlink_to(subs / "ada")
    learners, skipped = learner_folders(subs)
    assert [lr.learner for lr in learners] == sorted(["=cmd", "_grace", "ada", "caf\\xe9", "new\\nline"])
    assert {s.name: s.reason.split(" (")[0] for s in skipped} == {
        ".git": "a hidden folder",
        "link": "a symbolic link",
        "notes.txt": "a file, not a learner's folder",
    }
    stems = [lr.file_stem for lr in learners]
    assert len(set(stems)) == len(stems) and not any("/" in s or s.startswith(".") for s in stems)


def test_names_are_printable_and_cells_are_not_formulas():
    assert printable_name(os.fsdecode(b"a\xffb")) == "a\\xffb"
    assert printable_name("tab\there") == "tab\\there"
    for text in ("=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'x"):
        assert csv_cell(text) == "'" + text
    assert csv_cell("ada") == "ada" and csv_cell(3) == 3


@pytest.mark.parametrize(
    "timeout, memory, jobs", [(float("nan"), 512, 2), (0, 512, 2), (-1, 512, 2), (60, 1, 2), (60, 512, 0)]
)
def test_options_that_would_grade_nobody_fairly_are_refused(timeout, memory, jobs):
    with pytest.raises(ValueError):
        check_options(timeout, memory, jobs)
    check_options(60.0, MIN_MEMORY_MB, 1)  # the limits themselves are fine
