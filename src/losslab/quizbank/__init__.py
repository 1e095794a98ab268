"""The course's quiz questions, one module per lesson topic; each defines ``QUESTIONS``.

Questions are kept out of the notebooks so a learner does not see the answer
in the cell source. A key is ``"<module>.<name>"``, e.g. ``"problem_kinds.arya"``.
"""

from __future__ import annotations

import importlib
import pkgutil

from losslab.quiz import Question

__all__ = ["MODULES", "all_questions", "get_question"]

# every module of this package is a quiz bank (found, not listed, so lessons add theirs freely)
MODULES = tuple(sorted(info.name for info in pkgutil.iter_modules(__path__)))


def get_question(key: str) -> Question:
    """Look up one question by ``"module.name"``."""
    module_name, _, name = key.partition(".")
    if module_name not in MODULES or not name:
        raise KeyError(f"quiz key must be 'module.name' with module one of {MODULES}, got {key!r}")
    questions = importlib.import_module(f"losslab.quizbank.{module_name}").QUESTIONS
    try:
        return questions[name]
    except KeyError:
        raise KeyError(f"no question {name!r} in quizbank.{module_name}; have {sorted(questions)}") from None


def all_questions() -> dict[str, Question]:
    """Every question of the course, by key (for tests and the final mixed quiz)."""
    found = {}
    for module_name in MODULES:
        module = importlib.import_module(f"losslab.quizbank.{module_name}")
        found.update({f"{module_name}.{name}": q for name, q in module.QUESTIONS.items()})
    return found
