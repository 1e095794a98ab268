"""The grader: ``losslab grade`` runs every learner's notebook in a sandbox and writes grades and feedback.

Modules: :mod:`~losslab.grading.command` (the command: find, grade and resume a class),
:mod:`~losslab.grading.results` (what is recorded: grades, the grade sheet, feedback pages),
:mod:`~losslab.grading.class_summary` and :mod:`~losslab.grading.report` (the class report: what the
class lost and why, on one page),
:mod:`~losslab.grading.sandbox` (one notebook's graded cells against its checks),
:mod:`~losslab.grading.worker_processes` (starting, limiting and stopping workers),
:mod:`~losslab.grading.worker` (the process that runs learner code),
:mod:`~losslab.grading.bubblewrap` (the sandbox the workers run in),
:mod:`~losslab.grading.cgroups` (memory and process limits on a worker's whole process tree),
:mod:`~losslab.grading.confinement` (the worker's own limits: Landlock, rlimits; the fallback),
:mod:`~losslab.grading.class_folders` (reading SUBMISSIONS: learners, names, not-graded reasons),
:mod:`~losslab.grading.code_review` (what a learner's function calls, read from the source),
:mod:`~losslab.grading.remote_objects` (learner functions called across the process boundary),
:mod:`~losslab.grading.wire` (the bounded, validated message format between them),
:mod:`~losslab.grading.nbgrader_export` (``losslab nbgrader``: the exercises as an nbgrader course) and
:mod:`~losslab.grading.nbgrader_tests` (the in-kernel test runner of its hidden cells).

May import: every lower layer (up to :mod:`losslab.exercises`). Importing this package imports
none of its modules: the worker process imports only what it needs.
"""

__all__: list[str] = []
