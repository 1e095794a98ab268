"""Tests for losslab.grading.nbgrader_export (and losslab.grading.nbgrader_tests): the exercises as an nbgrader course.

The slow test runs the real nbgrader 0.9 command line (``generate_assignment``, ``validate``,
``autograde``) on fixture learners of ``tests/fixtures/grading_class`` and compares every learner's
points with ``losslab grade`` on the same code. A learner's nbgrader submission is the released
nbgrader notebook with the learner's graded cells put in, in order: the same code in both systems.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from losslab.exercises.nbtools import TAG_SOLUTION, NotebookError, cell_tags, read_notebook
from losslab.exercises.registry import suite_for_exercise, suite_modules
from losslab.grading.nbgrader_export import (
    SCHEMA_VERSION,
    export_course,
    export_notebook,
    hidden_test_source,
    main,
)

EXERCISES = ["01_multiclass_vs_multilabel", "02_softmax_crossentropy", "03_sigmoid_binary_crossentropy"]
# Honest learners (same points expected) and the monkeypatcher (in-kernel tests can be fooled).
LEARNERS = {
    "correct": EXERCISES,
    "untouched": ["02_softmax_crossentropy"],
    "wrong_softmax_axis": ["02_softmax_crossentropy"],
    "library_wrapper": ["02_softmax_crossentropy"],
    "missing_minus": ["03_sigmoid_binary_crossentropy"],
    "sigmoid_twice": ["03_sigmoid_binary_crossentropy"],
    "monkeypatcher": ["01_multiclass_vs_multilabel", "02_softmax_crossentropy"],
}


def _nbgrader_cells(nb):
    return [(c, c.metadata["nbgrader"]) for c in nb.cells if "nbgrader" in c.metadata]


@pytest.mark.parametrize("exercise", sorted(suite_modules()))
def test_every_exercise_exports_with_metadata_and_points(repo_root, exercise):
    nb = export_notebook(read_notebook(repo_root / "solutions" / f"{exercise}.ipynb"), exercise)
    nbformat.validate(nb)
    cells = _nbgrader_cells(nb)
    assert all(meta["schema_version"] == SCHEMA_VERSION == 3 for _, meta in cells)
    assert len({meta["grade_id"] for _, meta in cells}) == len(cells), "grade_ids must be unique"
    imports = [meta for c, meta in cells if meta["grade_id"] == "imports"]
    assert imports == [{**imports[0], "locked": True, "grade": False, "solution": False}]
    solutions = {meta["grade_id"] for c, meta in cells if meta["solution"]}
    tests = {meta["grade_id"]: (c, meta) for c, meta in cells if meta["grade_id"].startswith("test_")}
    targets = {c.target for c in suite_for_exercise(exercise)}
    assert solutions == targets
    assert set(tests) == {f"test_{t}" for t in targets}
    for target in targets:
        cell, meta = tests[f"test_{target}"]
        assert meta["grade"] and meta["locked"] and not meta["solution"]
        assert meta["points"] == sum(c.points for c in suite_for_exercise(exercise) if c.target == target)
        assert cell.source == hidden_test_source(target)
        assert cell.source.startswith("### BEGIN HIDDEN TESTS") and cell.source.endswith(
            "### END HIDDEN TESTS"
        )
        visible = next(c for c, m in cells if m["grade_id"] == f"check_{target}")
        assert visible.source.strip() == f"check({target})" and "HIDDEN" not in visible.source
        assert visible.metadata["nbgrader"]["points"] == 0 and visible.metadata["nbgrader"]["locked"]
        assert nb.cells.index(visible) + 1 == nb.cells.index(cell), "the hidden test follows its self-check"
    assert sum(meta.get("points", 0) for _, meta in cells) == sum(
        c.points for c in suite_for_exercise(exercise)
    )
    assert all(not c.outputs for c in nb.cells if c.cell_type == "code")


def test_export_course_and_errors(repo_root, tmp_path, capsys):
    written = export_course(tmp_path, root=repo_root, exercises=["02_softmax_crossentropy"])
    assert written == [tmp_path / "source" / "02_softmax_crossentropy" / "02_softmax_crossentropy.ipynb"]
    assert "course_id" in (tmp_path / "nbgrader_config.py").read_text()
    again = tmp_path / "again"
    export_course(again, root=repo_root, exercises=["02_softmax_crossentropy"])
    assert written[0].read_bytes() == (again / written[0].relative_to(tmp_path)).read_bytes(), "deterministic"
    with pytest.raises(NotebookError, match="no solutions/ notebook"):
        export_course(tmp_path, root=repo_root, exercises=["99_nothing"])
    assert main(["--out", str(tmp_path), "99_nothing"]) == 2
    nb = read_notebook(repo_root / "solutions" / "02_softmax_crossentropy.ipynb")
    nb.cells = [c for c in nb.cells if "check" not in cell_tags(c) or "check(softmax)" not in c.source]
    with pytest.raises(NotebookError, match=r"no check cell for \['softmax'\]"):
        export_notebook(nb)


# --- the real nbgrader ------------------------------------------------------------------------


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    bindir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from the environment's bin/
    env = {
        **os.environ,
        "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )


def _submission(released: nbformat.NotebookNode, learner_nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The released nbgrader notebook with the learner's graded cells, in order."""
    learner_cells = [c.source for c in learner_nb.cells if TAG_SOLUTION in cell_tags(c)]
    sub = nbformat.from_dict(nbformat.reads(nbformat.writes(released), as_version=4))
    slots = [c for c in sub.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert len(slots) == len(learner_cells)
    for slot, source in zip(slots, learner_cells, strict=True):
        slot.source = source
    return sub


@pytest.fixture(scope="module")
def nbgrader_run(repo_root, tmp_path_factory):
    pytest.importorskip("nbgrader", reason="nbgrader is a dev extra: pip install -e .[dev]")
    course = tmp_path_factory.mktemp("nbgrader-course")
    export_course(course, root=repo_root, exercises=EXERCISES)
    runs = {}
    for exercise in EXERCISES:
        runs[f"generate {exercise}"] = _nbgrader(course, "generate_assignment", exercise, "--force")
    source = str(course / "source" / "02_softmax_crossentropy" / "02_softmax_crossentropy.ipynb")
    runs["validate source"] = _nbgrader(course, "validate", source)
    stub = str(course / "release" / "02_softmax_crossentropy" / "02_softmax_crossentropy.ipynb")
    runs["validate release"] = _nbgrader(course, "validate", stub)
    fixtures = repo_root / "tests" / "fixtures" / "grading_class"
    plain = tmp_path_factory.mktemp("losslab-submissions")
    for learner, exercises in LEARNERS.items():
        for exercise in exercises:
            released = nbformat.read(course / "release" / exercise / f"{exercise}.ipynb", as_version=4)
            learner_nb = nbformat.read(fixtures / learner / f"{exercise}.ipynb", as_version=4)
            target = course / "submitted" / learner / exercise / f"{exercise}.ipynb"
            target.parent.mkdir(parents=True)
            nbformat.write(_submission(released, learner_nb), target)
            (plain / learner).mkdir(exist_ok=True)
            shutil.copy(fixtures / learner / f"{exercise}.ipynb", plain / learner / f"{exercise}.ipynb")
    for exercise in EXERCISES:
        runs[f"autograde {exercise}"] = _nbgrader(course, "autograde", exercise, "--force")
    grades = tmp_path_factory.mktemp("losslab-grades")
    bindir = Path(sys.executable).parent
    runs["losslab grade"] = subprocess.run(
        [str(bindir / "losslab"), "grade", str(plain), "--out", str(grades), "--timeout", "60"],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    return course, grades, runs


@pytest.mark.slow
def test_nbgrader_generates_validates_and_autogrades_like_losslab_grade(nbgrader_run):
    from nbgrader.api import Gradebook

    course, grades, runs = nbgrader_run
    for name, run in runs.items():
        if name != "validate release":
            assert run.returncode == 0, f"{name} failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    assert "Success! Your notebook passes all the tests." in runs["validate source"].stdout
    assert "NOT" not in runs["validate source"].stdout
    assert (
        "HIDDEN TESTS"
        not in (course / "release" / "02_softmax_crossentropy" / "02_softmax_crossentropy.ipynb").read_text()
    )
    stub_report = runs["validate release"].stdout + runs["validate release"].stderr
    assert "VALIDATION FAILED ON 5 CELL(S)" in stub_report, "each of the 5 stubs fails its self-check cell"

    with (grades / "grades.csv").open() as f:
        ours = {(r["learner"], r["exercise"]): int(r["points"]) for r in csv.DictReader(f)}
    theirs = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for learner, exercises in LEARNERS.items():
            for exercise in exercises:
                theirs[(learner, exercise)] = gb.find_submission(exercise, learner).score
    table = [
        f"{who:<20} {e:<32} losslab {ours[(who, e)]:>3}  nbgrader {theirs[(who, e)]:>5.1f}"
        for who, e in theirs
    ]
    print("\n".join(table))
    for (learner, exercise), score in theirs.items():
        if learner != "monkeypatcher":
            assert score == ours[(learner, exercise)], (
                f"{learner} {exercise}: nbgrader {score}, losslab {ours[(learner, exercise)]}"
            )
    gained = sum(theirs[("monkeypatcher", e)] - ours[("monkeypatcher", e)] for e in LEARNERS["monkeypatcher"])
    print(f"monkeypatcher: {gained:+.0f} points under nbgrader (tests run in the learner's kernel)")
    assert gained > 0, "the README says in-kernel tests let the monkeypatcher gain points: re-measure"
