"""The hidden test cells of the nbgrader export: run every check of one function inside the kernel.

An exported notebook (:mod:`losslab.grading.nbgrader_export`) has, after each graded
function's visible self-check cell, a hidden autograded cell::

    ### BEGIN HIDDEN TESTS
    from losslab.grading.nbgrader_tests import points_for
    points_for("softmax", globals())
    ### END HIDDEN TESTS

:func:`points_for` runs all of the function's checks from the instructor's
suites (self-checks and grading-only ones), prints one line per check and
returns the points earned. nbgrader reads a number as the cell's last value as
partial credit, so the cell scores exactly what ``losslab grade`` gives for that
function - as long as the learner's code plays fair: it runs in the same
kernel as the tests (see the README on when to prefer ``losslab grade``).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Mapping
from typing import Any

from losslab.exercises.checks import format_report, run_checks

__all__ = ["checks_for", "points_for", "total_points"]


def checks_for(target: str) -> list:
    """Every check (self and grading-only) of one graded function or object, from the full suites."""
    from losslab.exercises.registry import exercise_for_target, suite_for_exercise

    return [c for c in suite_for_exercise(exercise_for_target(target)) if c.target == target]


def total_points(target: str) -> int:
    """What one function is worth: the points of all its checks."""
    return sum(c.points for c in checks_for(target))


def points_for(target: str, namespace: Mapping[str, Any]) -> int:
    """Run all checks of ``target`` against ``namespace`` (the notebook's globals); return the points.

    Anything the learner's code writes to stderr while the checks run is kept out of
    the cell's output (nbgrader gives a cell with stderr output 0 points) and
    shown after the report instead.
    """
    checks = checks_for(target)
    if not any(c.self_check is False for c in checks) and _is_stripped():
        raise RuntimeError(
            "these hidden tests need the instructor's losslab (with grading-only checks), "
            "not the learners' release: autograde in the instructor's environment"
        )
    noise = io.StringIO()
    with contextlib.redirect_stderr(noise):
        results = run_checks(checks, namespace)
    print(format_report(results))
    if noise.getvalue().strip():
        print("(output of your code on stderr while testing:)\n" + noise.getvalue().strip()[-2000:])
    return sum(r.points for r in results)  # partial credit counted as losslab grade counts it


def _is_stripped() -> bool:
    from losslab.exercises.registry import suite_for_exercise, suite_modules

    return all(c.self_check for exercise in suite_modules() for c in suite_for_exercise(exercise))
