"""Check suites, one module per exercise topic; each module defines ``EXERCISE`` and ``CHECKS``.

The same checks serve the learner's in-notebook ``check(...)`` (those with
``self_check=True``) and the instructors' grader (all of them).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from losslab.checks import Check

__all__ = ["SUITE_MODULES", "exercise_for_target", "self_checks_for", "suite_for_exercise"]


def _discover() -> dict[str, str]:
    """exercise notebook stem -> module of this package holding its checks (found, not listed)."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found[module.EXERCISE] = info.name
    return dict(sorted(found.items()))


SUITE_MODULES: dict[str, str] = _discover()


@cache
def suite_for_exercise(exercise: str) -> tuple[Check, ...]:
    """All checks (self-checks and grading-only) of one exercise, by notebook stem."""
    try:
        module_name = SUITE_MODULES[exercise]
    except KeyError:
        known = ", ".join(sorted(SUITE_MODULES))
        raise KeyError(f"no check suite for exercise {exercise!r}; known exercises: {known}") from None
    return tuple(importlib.import_module(f"{__name__}.{module_name}").CHECKS)


@cache
def _targets() -> dict[str, str]:
    owners: dict[str, str] = {}
    for exercise in SUITE_MODULES:
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
