"""Check suites (content), one module per exercise topic; each module defines ``EXERCISE`` and ``CHECKS``.

Each module imports the engine (:mod:`losslab.exercises.checks` and the check helpers);
the engine finds the modules by name (:mod:`losslab.exercises.registry`), so a new
exercise adds its module here and nothing else. The same checks serve the learner's
in-notebook ``check(...)`` (those with ``self_check=True``) and the grader (all of them).
"""

__all__: list[str] = []
