"""Every solution passes every check of its suite; every generated exercise fails every one.

This is nbgrader's rule ("the source passes every test, the released exercise
passes none") applied to the shared check engine the grader uses.
"""

import pytest

from losslab.exercises.checks import run_checks
from losslab.exercises.nbtools import exec_graded_cells
from losslab.exercises.registry import exercise_for_target, self_checks_for, suite_for_exercise, suite_modules

EXERCISES = sorted(suite_modules())


def test_every_solution_has_a_suite(repo_root):
    solutions = sorted(p.stem for p in (repo_root / "solutions").glob("*.ipynb"))
    assert solutions, "no solutions found"
    assert set(solutions) == set(EXERCISES), "each solutions/NN_x.ipynb needs a suite with EXERCISE='NN_x'"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_suite_is_well_formed(exercise):
    checks = suite_for_exercise(exercise)
    assert checks, f"{exercise}: empty suite"
    assert all(c.points > 0 for c in checks)
    assert any(c.self_check for c in checks), "learners need at least one self-check"
    assert any(not c.self_check for c in checks), "the grader should test more than the self-checks"
    for target in {c.target for c in checks}:
        assert exercise_for_target(target) == exercise
        assert self_checks_for(target) == [c for c in checks if c.target == target and c.self_check]


@pytest.mark.parametrize("exercise", EXERCISES)
def test_solution_passes_every_check(repo_root, exercise):
    namespace = exec_graded_cells(repo_root / "solutions" / f"{exercise}.ipynb")
    results = run_checks(suite_for_exercise(exercise), namespace)
    failed = [f"{r.check.target}: {r.check.name}: {r.message}" for r in results if not r.passed]
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_generated_exercise_fails_every_check(repo_root, exercise):
    namespace = exec_graded_cells(
        repo_root / "exercises" / f"{exercise}.ipynb", tolerate=(NotImplementedError,)
    )
    results = run_checks(suite_for_exercise(exercise), namespace)
    passed = [f"{r.check.target}: {r.check.name}" for r in results if r.passed]
    assert not passed, "these checks pass on the untouched exercise, so they cannot fail:\n" + "\n".join(
        passed
    )
