"""What the grader records: grades as JSON, the grade sheet, a learner's feedback page."""

import csv

from losslab.grading import results
from losslab.grading.class_folders import NotGraded
from losslab.grading.results import ExerciseGrade, feedback_markdown, write_grade_sheet, write_not_graded

Outcome = results.TestOutcome  # not named Test* here: pytest would try to collect it


def _grade(learner="ann", exercise="02_softmax_crossentropy", submission="02_softmax_crossentropy.ipynb"):
    tests = [
        Outcome("softmax", "rows sum to 1", 1, 1),
        Outcome("softmax", "stable at ±1e4", 0, 2, "softmax overflows: subtract the row max"),
        Outcome("log_softmax", "matches", 0, 1, "not run: the cell raised"),
        Outcome("log_softmax", "stable", 0, 2, "not run: the cell raised"),
    ]
    return ExerciseGrade(
        learner, exercise, 1, 6, tests, problems=["graded cell 2 raised\x07"], submission=submission
    )


def test_grade_round_trips_through_json():
    grade = _grade()
    data = grade.to_json()
    assert data["format"] == 2
    assert ExerciseGrade.from_json(data) == grade


def test_grade_sheet_is_sorted(tmp_path):
    path = tmp_path / "out" / "grades.csv"
    write_grade_sheet(path, [_grade("bob"), _grade("ann", "01_multiclass_vs_multilabel")])
    assert path.read_text().splitlines() == [
        "learner,exercise,points,max_points",
        "ann,01_multiclass_vs_multilabel,1,6",
        "bob,02_softmax_crossentropy,1,6",
    ]


def test_feedback_lists_points_mistakes_and_groups_tests_not_run():
    page = feedback_markdown(
        "ann", [_grade(), _grade(exercise="01_multiclass_vs_multilabel", submission=None)]
    )
    assert "**Total: 2 / 12 points**" in page
    assert "| ✔ | `softmax`: rows sum to 1 | 1 / 1 |" in page
    assert "softmax overflows: subtract the row max" in page
    assert "- 2 tests not run: the cell raised" in page
    assert "graded cell 2 raised?" in page  # control characters from learner output are neutralised
    assert "(4 tests not run)" in page  # the exercise that was not handed in


def test_sheets_have_no_formulas(tmp_path):
    write_grade_sheet(tmp_path / "grades.csv", [_grade("=1+2"), _grade("ada")])
    rows = list(csv.reader((tmp_path / "grades.csv").read_text().splitlines()))
    assert rows[1][0] == "'=1+2" and rows[2][0] == "ada"
    write_not_graded(tmp_path / "not_graded.csv", [NotGraded("@evil", "a file, not a learner's folder")])
    assert list(csv.reader((tmp_path / "not_graded.csv").read_text().splitlines()))[1][0] == "'@evil"


def test_feedback_quotes_only_a_short_excerpt():
    grade = _grade()
    grade.tests[1].message = "your inputs were " + "[1.0, 2.0] " * 5000
    page = feedback_markdown("ann", [grade])
    assert max(len(line) for line in page.splitlines()) < 400 and "[...]" in page
