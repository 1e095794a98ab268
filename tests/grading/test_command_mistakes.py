"""One mistake, one deduction; all-green self-checks predict the grade (fixture class of typical mistakes).

``tests/fixtures/mistakes_class`` holds one learner per typical mistake of exercises 01-08
(``tests/fixtures/typical_mistakes.py``: the solution with one graded cell replaced). Graded
through the sandbox like a real class, each learner must fail exactly the one check that owns
its mistake, with a message naming it; and whoever passes every self-check of an exercise must
score at least 90 % of its points.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from losslab.grading.command import exercise_suites, grade_class
from losslab.grading.sandbox import Limits

FIXTURES = Path(__file__).parents[1] / "fixtures"
SUITES = exercise_suites()


def _catalogue():
    spec = importlib.util.spec_from_file_location("typical_mistakes", FIXTURES / "typical_mistakes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MISTAKES = _catalogue()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grades of the mistakes class by (learner, exercise); generous limits (exercise 05 trains models)."""
    root = tmp_path_factory.mktemp("mistakes")
    shutil.copytree(FIXTURES / "mistakes_class", root / "submissions")
    grades = grade_class(
        root / "submissions", root / "out", jobs=2, limits=Limits(timeout=120.0), log=lambda _: None
    )
    return {(g.learner, g.exercise): g for g in grades}


def _exercise(learner: str) -> str:
    (number,) = MISTAKES.MISTAKES[learner]
    return MISTAKES.EX[number]


def _failed(grade) -> set[str]:
    return {f"{t.target}: {t.name}" for t in grade.tests if t.points < t.max_points}


def all_self_checks_green(grade) -> bool:
    """Did the learner's notebook pass every self-check of its exercise (what ``check(...)`` runs)?"""
    own = {(c.target, c.name) for c in SUITES[grade.exercise] if c.self_check}
    tests = [t for t in grade.tests if (t.target, t.name) in own]
    return bool(tests) and all(t.points == t.max_points for t in tests)


def test_catalogue_is_complete():
    assert set(MISTAKES.MISTAKES) == set(MISTAKES.EXPECTED) == set(MISTAKES.MESSAGES)
    assert sorted(p.name for p in (FIXTURES / "mistakes_class").iterdir()) == sorted(MISTAKES.MISTAKES)
    assert {_exercise(learner) for learner in MISTAKES.MISTAKES} == set(MISTAKES.EX.values())
    names = {ex: {f"{c.target}: {c.name}" for c in SUITES[ex]} for ex in MISTAKES.EX.values()}
    for learner, check in MISTAKES.EXPECTED.items():
        assert check in names[_exercise(learner)], f"{learner}: no check named {check!r}"


@pytest.mark.parametrize("learner", sorted(MISTAKES.MISTAKES))
def test_each_mistake_loses_points_in_one_check(graded, learner):
    grade = graded[(learner, _exercise(learner))]
    assert not grade.problems, grade.problems
    assert _failed(grade) == {MISTAKES.EXPECTED[learner]}, [
        (t.name, t.message) for t in grade.tests if t.points < t.max_points
    ]
    (message,) = [t.message for t in grade.tests if t.points < t.max_points]
    assert MISTAKES.MESSAGES[learner] in message, message
    assert "Traceback" not in message and "{{function_node" not in message


def test_design_choices_gives_credit_per_task(graded):
    grade = graded[("ex01_design_two_wrong", MISTAKES.EX[1])]
    (design,) = [t for t in grade.tests if t.target == "design_choices"]
    assert (design.points, design.max_points) == (3, 5)


def test_all_green_self_checks_score_at_least_90_percent(graded):
    """Every learner whose self-checks are all green scores >= 90 %; the figure per exercise is printed."""
    worst: dict[str, float] = {}
    for (learner, exercise), grade in sorted(graded.items()):
        if grade.submission is None or not all_self_checks_green(grade):
            continue
        share = grade.points / grade.max_points
        worst[exercise] = min(worst.get(exercise, 1.0), share)
        assert share >= 0.9, (
            f"{learner}/{exercise}: self-checks green, grade {grade.points}/{grade.max_points}"
        )
    print("\nlowest grade with every self-check green:", {e: f"{100 * v:.0f} %" for e, v in worst.items()})
