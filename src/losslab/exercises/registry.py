"""Which checks belong to which exercise: the engine's index of the check suites.

The suites (:mod:`losslab.exercises.suites`, one module per exercise, each defining
``EXERCISE`` and ``CHECKS``) import the engine (:mod:`losslab.exercises.checks`);
this index finds them by name at call time, so the engine never imports its content.
The same checks serve the learner's in-notebook ``check(...)`` (those with
``self_check=True``) and the instructors' grader (all of them).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from losslab.exercises.checks import Check

__all__ = ["SUITES", "exercise_for_target", "self_checks_for", "suite_for_exercise", "suite_modules"]

SUITES = "losslab.exercises.suites"


@cache
def suite_modules() -> dict[str, str]:
    """exercise notebook stem -> module of :mod:`losslab.exercises.suites` holding its checks (found, not listed)."""
    package = importlib.import_module(SUITES)
    found = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{SUITES}.{info.name}")
        found[module.EXERCISE] = info.name
    return dict(sorted(found.items()))


@cache
def suite_for_exercise(exercise: str) -> tuple[Check, ...]:
    """All checks (self-checks and grading-only) of one exercise, by notebook stem."""
    modules = suite_modules()
    try:
        module_name = modules[exercise]
    except KeyError:
        known = ", ".join(sorted(modules))
        raise KeyError(f"no check suite for exercise {exercise!r}; known exercises: {known}") from None
    return tuple(importlib.import_module(f"{SUITES}.{module_name}").CHECKS)


@cache
def _targets() -> dict[str, str]:
    owners: dict[str, str] = {}
    for exercise in suite_modules():
        for check_ in suite_for_exercise(exercise):
            other = owners.setdefault(check_.target, exercise)
            if other != exercise:
                raise RuntimeError(f"{check_.target!r} is graded in both {other} and {exercise}")
    return owners


def exercise_for_target(target: str) -> str:
    """The exercise whose suite tests ``target`` (names are unique across the course)."""
    try:
        return _targets()[target]
    except KeyError:
        raise KeyError(
            f"no self-checks for {target!r}: check the function's name against the exercise"
        ) from None


def self_checks_for(target: str) -> list[Check]:
    """The self-checks (``self_check=True``) of one function or object."""
    exercise = exercise_for_target(target)
    return [c for c in suite_for_exercise(exercise) if c.target == target and c.self_check]
