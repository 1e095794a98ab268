"""Grade the fixture class (tests/fixtures/grading_class) and check every learner's points and feedback.

The fixture learners are built by tests/fixtures/make_grading_class.py; each folder
name says what that learner's notebooks do wrong. Assertions are per graded
function (which functions' checks pass), so they hold when a suite gains checks.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest

from losslab.grading.command import exercise_suites, find_submission, grade_class, load_extra_tests, main
from losslab.grading.sandbox import Limits

FIXTURES = Path(__file__).parents[1] / "fixtures" / "grading_class"
EX01, EX02, EX03 = "01_multiclass_vs_multilabel", "02_softmax_crossentropy", "03_sigmoid_binary_crossentropy"
LIMITS = Limits(timeout=5.0, memory_mb=512)
SUITES = exercise_suites()
needs_02_03 = pytest.mark.skipif(
    EX02 not in SUITES or EX03 not in SUITES,
    reason="the check suites of exercises 02 and 03 are not in this checkout",
)


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade a copy of the fixture class once.

    Returns (grades by (learner, exercise), out folder, submissions, whether any submission changed).
    """
    root = tmp_path_factory.mktemp("grading")
    submissions, out = root / "submissions", root / "out"
    shutil.copytree(FIXTURES, submissions)
    before = _hashes(submissions)
    logs: list[str] = []
    grades = grade_class(submissions, out, jobs=2, limits=LIMITS, log=logs.append)
    changed = _hashes(submissions) != before
    return {(g.learner, g.exercise): g for g in grades}, out, submissions, changed


def _by_target(grade, target: str) -> list[bool]:
    results = [t.points == t.max_points for t in grade.tests if t.target == target]
    assert results, f"no tests of {target} in {grade.exercise}"
    return results


def _messages(grade, target: str) -> str:
    return "\n".join(t.message for t in grade.tests if t.target == target)


def _only_failing(grade, *targets: str) -> None:
    """Every check of ``targets`` fails; every other check of the exercise passes."""
    for target in {t.target for t in grade.tests}:
        results = _by_target(grade, target)
        if target in targets:
            assert not any(results), f"{grade.learner}: {target} should fail every check"
        else:
            assert all(results), f"{grade.learner}: {target} should pass ({_messages(grade, target)})"


def test_sheet_has_a_row_per_learner_and_exercise(graded):
    grades, out, _, _ = graded
    rows = list(csv.DictReader((out / "grades.csv").read_text().splitlines()))
    learners = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
    assert [(r["learner"], r["exercise"]) for r in rows] == [(lr, ex) for lr in learners for ex in SUITES]
    assert list(rows[0]) == ["learner", "exercise", "points", "max_points"]
    for row in rows:
        grade = grades[(row["learner"], row["exercise"])]
        assert (int(row["points"]), int(row["max_points"])) == (grade.points, grade.max_points)
        assert grade.max_points == sum(c.points for c in SUITES[row["exercise"]])
    assert sorted(p.stem for p in (out / "feedback").glob("*.md")) == learners


def test_correct_learner_gets_every_point(graded):
    grades = graded[0]
    for exercise in (EX01, EX02, EX03):
        if exercise in SUITES:
            grade = grades[("correct", exercise)]
            assert grade.points == grade.max_points, [t.message for t in grade.tests if t.message]
    assert grades[("correct", "06_imbalance_losses")].points == 0 if "06_imbalance_losses" in SUITES else True


def test_untouched_exercise_gets_nothing_and_says_not_implemented(graded):
    for exercise in (EX01, EX02, EX03):
        if exercise in SUITES:
            grade = graded[0][("untouched", exercise)]
            assert grade.points == 0
            assert sum("not implemented" in t.message for t in grade.tests) >= len(grade.tests) // 2


def test_missing_notebook_is_a_zero_row_with_a_reason(graded):
    grade = graded[0][("syntax_error", EX02)] if EX02 in SUITES else graded[0][("syntax_error", EX01)]
    if grade.exercise == EX02:
        assert grade.points == 0 and grade.submission is None
        assert "not handed in" in grade.problems[0]


def test_broken_cells_cost_only_what_they_break(graded):
    grades = graded[0]
    syntax = grades[("syntax_error", EX01)]
    _only_failing(syntax, "to_multi_hot", "quadrants_to_multi_hot")  # quadrants_... calls to_multi_hot
    assert any("SyntaxError" in p and "to_multi_hot" in p for p in syntax.problems)
    imports = grades[("import_error", EX01)]
    _only_failing(imports, *(t.target for t in imports.tests if t.target != "design_choices"))
    assert any("ModuleNotFoundError" in p and "torch" in p for p in imports.problems)
    assert "name 'np' is not defined" in _messages(imports, "to_one_hot")
    top = grades[("raises_at_top_level", EX01)]
    assert top.points == top.max_points
    assert any("ZeroDivisionError" in p for p in top.problems)
    missing = grades[("missing_function", EX01)]
    _only_failing(missing, "to_multi_hot", "quadrants_to_multi_hot")
    assert "`to_multi_hot` is not defined" in _messages(missing, "to_multi_hot")


def test_hangs_memory_blowups_and_exits_are_contained(graded):
    grades = graded[0]
    loop = grades[("infinite_loop", EX01)]
    _only_failing(loop, "to_one_hot", "design_choices")
    assert all("did not finish in time" in t.message for t in loop.tests if t.target == "to_one_hot")
    assert any("did not finish in time" in p and "design_choices" in p for p in loop.problems)
    hog = grades[("memory_hog", EX01)]
    _only_failing(hog, "one_hot_to_labels")
    assert "memory" in _messages(hog, "one_hot_to_labels").lower()
    exits = grades[("exits", EX01)]
    _only_failing(exits, "to_one_hot", "one_hot_to_labels")
    assert "sys.exit" in _messages(exits, "to_one_hot")
    assert "ended its process" in _messages(exits, "one_hot_to_labels")
    assert any("SystemExit" in p for p in exits.problems)


def test_wrong_results_are_named(graded):
    grades = graded[0]
    shapes = grades[("wrong_shapes_and_dtypes", EX01)]
    assert not all(_by_target(shapes, "to_one_hot"))
    assert "swapped" in _messages(shapes, "to_one_hot")
    assert "dtype float32" in _messages(shapes, "one_hot_to_labels")
    always = grades[("always_equal", EX01)]
    _only_failing(always, "to_one_hot")


def test_cheating_does_not_pay(graded):
    grades, out, submissions, _ = graded
    if not grades[("correct", EX01)].confinement.get("files"):
        pytest.skip("this kernel has no Landlock: learner code could read the tests")
    assert not graded[3], "a learner's code changed the submissions"
    reader = grades[("test_reader", EX01)]
    _only_failing(reader, "design_choices")  # could not read the suite or the solution
    vandal = grades[("vandal", EX01)]
    assert vandal.points == vandal.max_points
    assert "vandal,all,999" not in (out / "grades.csv").read_text()
    patched = grades[("monkeypatcher", EX01)]
    # its all-zero float32 rows fail every check of to_one_hot except "returns float32" (dtype only)
    assert _by_target(patched, "to_one_hot") == [False, True, False, False]
    assert all(_by_target(patched, "one_hot_to_labels"))


def test_corrupt_notebooks_get_zero_and_say_why(graded):
    grades = graded[0]
    assert grades[("corrupt_ipynb", EX01)].points == 0
    assert "not valid notebook JSON" in grades[("corrupt_ipynb", EX01)].problems[0]
    assert "/" not in grades[("corrupt_ipynb", EX01)].problems[0].split(":")[0]  # no paths of the grader
    if EX02 in SUITES:
        assert "not a text file" in grades[("corrupt_ipynb", EX02)].problems[0]
    feedback = (graded[1] / "feedback" / "corrupt_ipynb.md").read_text()
    assert "not run: the notebook could not be read" in feedback


@needs_02_03
def test_common_loss_mistakes_are_diagnosed(graded):
    grades = graded[0]
    patched = _by_target(grades[("monkeypatcher", EX02)], "softmax")
    assert not patched[0] and not all(patched)  # its gradient check passes: identity matches itself
    naive02 = grades[("naive_unstable", EX02)]
    assert _by_target(naive02, "softmax")[0] and not all(_by_target(naive02, "softmax"))
    naive03 = grades[("naive_unstable", EX03)]
    assert not all(_by_target(naive03, "binary_crossentropy"))
    assert "log(sigmoid(x))" in _messages(naive03, "binary_crossentropy")
    nan = grades[("nan_outputs", EX03)]
    assert not all(_by_target(nan, "binary_crossentropy_from_probs"))
    assert all(_by_target(nan, "binary_crossentropy"))
    assert "minus sign" in _messages(grades[("missing_minus", EX03)], "binary_crossentropy")
    axis = grades[("wrong_softmax_axis", EX02)]
    assert not all(_by_target(axis, "softmax")) and all(_by_target(axis, "log_softmax"))
    twice = grades[("sigmoid_twice", EX03)]
    assert "sigmoid is applied twice" in _messages(twice, "binary_crossentropy")
    assert "reduced" in _messages(grades[("mean_vs_sum", EX03)], "binary_crossentropy")
    assert not all(_by_target(grades[("mean_vs_sum", EX02)], "categorical_crossentropy"))
    assert "Anything" in _messages(grades[("always_equal", EX03)], "sigmoid")
    wrapper = grades[("library_wrapper", EX02)]
    assert sum(not ok for ok in _by_target(wrapper, "softmax")) == 1  # right values, not from scratch
    assert "calls the library's `softmax`" in _messages(wrapper, "softmax")


def test_feedback_lists_tests_points_and_mistakes(graded):
    text = (graded[1] / "feedback" / "wrong_shapes_and_dtypes.md").read_text()
    grade = graded[0][("wrong_shapes_and_dtypes", EX01)]
    assert text.startswith("# Loss Lab feedback: wrong_shapes_and_dtypes")
    assert f"## {EX01}: {grade.points} / {grade.max_points} points" in text
    for test in grade.tests:
        assert f"`{test.target}`: {test.name} | {test.points} / {test.max_points} |" in text
    assert "rows and columns are swapped" in text


def test_rerun_resumes_and_reproduces_the_sheet(graded):
    _, out, submissions, _ = graded
    sheet = (out / "grades.csv").read_text()
    (out / "results" / "exits" / f"{EX01}.json").unlink()  # as if interrupted before this one
    (out / "grades.csv").unlink()
    logs: list[str] = []
    grade_class(submissions, out, jobs=2, limits=LIMITS, log=logs.append)
    assert "1 notebooks to run" in logs[0]
    assert (out / "grades.csv").read_text() == sheet


def test_extra_tests_and_single_notebook(tmp_path, capsys):
    extra = tmp_path / "private_tests.py"
    extra.write_text(
        "import numpy as np\n"
        "from losslab.exercises.checks import Check, Mistake\n"
        f"EXERCISE = {EX01!r}\n"
        "def _big(fn):\n"
        "    got = np.asarray(fn(np.arange(1000) % 7, 7))\n"
        "    if got.shape != (1000, 7) or got.sum() != 1000:\n"
        "        raise Mistake('wrong on a batch of 1000')\n"
        "CHECKS = [Check('to_one_hot', 'a batch of 1000', _big, points=3)]\n"
    )
    assert [c.points for c in load_extra_tests(extra)[EX01]] == [3]
    submissions = tmp_path / "class"
    for learner in ("correct", "untouched"):
        shutil.copytree(FIXTURES / learner, submissions / learner)
    grades = {
        (g.learner, g.exercise): g
        for g in grade_class(submissions, tmp_path / "out", extra, 2, LIMITS, log=print)
    }
    assert grades[("correct", EX01)].points == grades[("correct", EX01)].max_points
    assert grades[("correct", EX01)].max_points == sum(c.points for c in SUITES[EX01]) + 3
    assert grades[("untouched", EX01)].points == 0
    capsys.readouterr()
    assert main([str(FIXTURES / "missing_function" / f"{EX01}.ipynb"), "--timeout", "5"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"# {EX01}: ")
    assert "`to_multi_hot` is not defined" in printed


def test_find_submission_accepts_one_renamed_copy(tmp_path):
    (tmp_path / "01_multiclass_vs_multilabel-Copy1.ipynb").write_text("{}")
    path, note = find_submission(tmp_path, EX01)
    assert path.name == "01_multiclass_vs_multilabel-Copy1.ipynb" and "expected the name" in note
    (tmp_path / "01_other.ipynb").write_text("{}")
    assert find_submission(tmp_path, EX01)[0] is None


def test_symbolic_links_are_not_graded(tmp_path):
    (tmp_path / "solution.ipynb").write_text("{}")
    (tmp_path / f"{EX01}.ipynb").symlink_to(tmp_path / "solution.ipynb")
    path, note = find_submission(tmp_path, EX01)
    assert path is None and "symbolic link" in note


@pytest.mark.slow
def test_every_solution_gets_full_marks_through_the_sandbox(tmp_path, repo_root):
    """The checks see learner functions only through the sandbox: every solution must still pass them all."""
    learner = tmp_path / "class" / "solutions"
    learner.mkdir(parents=True)
    solved = [e for e in SUITES if (repo_root / "solutions" / f"{e}.ipynb").is_file()]
    for exercise in solved:
        shutil.copyfile(repo_root / "solutions" / f"{exercise}.ipynb", learner / f"{exercise}.ipynb")
    grades = grade_class(tmp_path / "class", tmp_path / "out", jobs=2, limits=Limits(timeout=120), log=print)
    for grade in grades:
        if grade.exercise in solved:
            failed = [f"{t.target}: {t.message}" for t in grade.tests if t.points < t.max_points]
            assert grade.points == grade.max_points, (grade.exercise, failed, grade.problems)


def test_all_green_self_checks_predict_the_grade(graded):
    """A learner whose self-checks of an exercise are all green scores at least 90 % of its points."""
    for (learner, exercise), grade in graded[0].items():
        own = {(c.target, c.name) for c in SUITES[exercise] if c.self_check}
        tests = [t for t in grade.tests if (t.target, t.name) in own]
        if grade.submission is None or not tests or any(t.points < t.max_points for t in tests):
            continue
        assert grade.points >= 0.9 * grade.max_points, (learner, exercise, grade.points, grade.max_points)


def test_class_report_matches_the_sheet(graded):
    """The class report written with the sheet: totals and per-check counts agree with what was graded."""
    import base64
    import re
    from collections import defaultdict

    grades, out, _, _ = graded
    with (out / "grades.csv").open(encoding="utf-8") as f:
        sheet = list(csv.DictReader(f))
    handed_in = {
        row["exercise"] for row in sheet if grades[row["learner"], row["exercise"]].submission is not None
    }
    expected = defaultdict(lambda: [0, 0])
    for row in sheet:
        expected[row["learner"]][0] += int(row["points"])  # a notebook not handed in has 0 points
        if row["exercise"] in handed_in:
            expected[row["learner"]][1] += int(row["max_points"])
    with (out / "report-totals.csv").open(encoding="utf-8") as f:
        totals = {r["learner"]: [int(r["points"]), int(r["max_points"])] for r in csv.DictReader(f)}
    assert totals == dict(expected)
    with (out / "report-checks.csv").open(encoding="utf-8") as f:
        checks = list(csv.DictReader(f))
    for row in checks:
        outcomes = [
            t
            for g in grades.values()
            if g.exercise == row["exercise"] and g.submission is not None
            for t in g.tests
            if (t.target, t.name) == (row["target"], row["check"])
        ]
        assert int(row["handed_in"]) == len(outcomes)
        assert int(row["lost"]) == sum(t.points < t.max_points for t in outcomes), row
    page = (out / "report.html").read_text(encoding="utf-8")
    [image] = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert base64.b64decode(image).startswith(b"\x89PNG")
    assert f"{len(expected)} learners" in page
    histogram = re.findall(r"<tr><td>\d+-\d+ %</td><td class=\"n\">(\d+)</td></tr>", page)
    assert len(histogram) == 10 and sum(map(int, histogram)) == len(expected)


def test_saved_grades_are_keyed_on_the_whole_package(tmp_path, monkeypatch):
    """A change to any module a check may use (not only the suites) makes saved results stale."""
    import losslab
    from losslab.grading import command

    copy = tmp_path / "losslab"
    shutil.copytree(Path(losslab.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(losslab, "__file__", str(copy / "__init__.py"))
    before = command._engine_digest(None, LIMITS)
    assert command._engine_digest(None, LIMITS) == before
    helper = copy / "debugging" / "diagnostics.py"
    helper.write_text(helper.read_text() + "\n# a changed grading helper\n")
    assert command._engine_digest(None, LIMITS) != before
    assert command._engine_digest(None, Limits(timeout=6.0, memory_mb=512)) != command._engine_digest(
        None, LIMITS
    )
