"""The exercise machinery: the check engine, its helpers, the suites, and the notebook generator.

Modules: :mod:`~losslab.exercises.checks` (the engine; ``check(...)`` in a learner's notebook),
:mod:`~losslab.exercises.registry` (finds the suites by name),
:mod:`~losslab.exercises.tensor_checks` (the one family of check helpers),
:mod:`~losslab.exercises.code_reading` (what a learner's function calls),
:mod:`~losslab.exercises.from_scratch` ("built from basic ops" and "written here" checks),
:mod:`~losslab.exercises.grid_evaluation` (exercise 09: train, score and diagnose a learner's approach),
:mod:`~losslab.exercises.suites` (content: one module of checks per exercise),
:mod:`~losslab.exercises.generate` (``losslab generate``: exercises/ from solutions/),
:mod:`~losslab.exercises.nbtools` (reading notebooks, graded cells),
:mod:`~losslab.exercises.execute` (re-execute a lesson in place),
:mod:`~losslab.exercises.suite_stripping` (a suite cut down to its self-checks, for the learners' release).

May import: every lower layer (environment, data, modeling, debugging, figures, interactive).
"""

from losslab._exports import lazy_exports

__all__ = ["check"]

_EXPORTS = {  # name -> module of this package
    "check": "checks",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
