"""A small class of grade records for the class-summary and class-report tests."""

from __future__ import annotations

import pytest

from losslab.grading import results as grading

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


@pytest.fixture
def small_class():
    """Grade records of four learners: exercise 01 and 02 handed in (with typical failures), 03 by nobody."""
    return _class()
