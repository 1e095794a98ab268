"""``losslab grade``: grade a whole class (a grade sheet and feedback per learner), or one notebook.

    losslab grade SUBMISSIONS --out OUT [--tests EXTRA] [--jobs N] [--timeout SECONDS]
    losslab grade path/to/02_softmax_crossentropy.ipynb

``SUBMISSIONS`` holds one folder per learner (the folder name is the learner's
id) with any of the exercise notebooks, named as in ``exercises/``. The grader
writes

* ``OUT/grades.csv``: ``learner,exercise,points,max_points``, one row per learner
  and graded exercise (a missing or broken notebook gets 0 points);
* ``OUT/not_graded.csv``: ``name,reason`` for every entry of SUBMISSIONS that is not
  a learner's folder (hidden folders, symbolic links, files), so nothing is dropped silently;
* ``OUT/feedback/<learner>.md``: every test, its points, and for each failure the
  message naming the likely mistake;
* ``OUT/report.html`` (with ``report.md`` and ``report-checks.csv``): the class report,
  what the class lost and why (:mod:`losslab.grading.report`);
* ``OUT/results/<learner>/<exercise>.json``: one file per graded notebook, written
  as soon as it is graded. A rerun reuses them when neither the notebook nor the
  tests changed, so an interrupted run resumes and a finished one reproduces the
  same sheet (``--regrade`` ignores them).

The tests are the same checks the learners run in their notebooks
(:mod:`losslab.exercises.suites`), plus the grading-only ones, plus the instructor's private
tests given with ``--tests`` (a ``.py`` file, or a folder of them, each defining
``EXERCISE`` and ``CHECKS`` like the modules in :mod:`losslab.exercises.suites`).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import losslab
from losslab.exercises.checks import Check
from losslab.grading.class_folders import check_options, check_out_folder, learner_folders
from losslab.grading.report import write_class_report
from losslab.grading.results import (
    ExerciseGrade,
    TestOutcome,
    exercise_markdown,
    feedback_markdown,
    write_atomically,
    write_grade_sheet,
    write_not_graded,
)
from losslab.grading.sandbox import Limits, grade_notebook, start_fork_server, stop_all_workers
from losslab.grading.worker_processes import unconfined_warning

__all__ = [
    "ExerciseGrade",
    "TestOutcome",
    "exercise_suites",
    "feedback_markdown",
    "find_submission",
    "grade_class",
    "grade_one",
    "load_extra_tests",
    "main",
    "write_grade_sheet",
    "write_not_graded",
]

_DEFAULT_LIMITS = Limits()
MAX_NOTEBOOK_BYTES = 50 << 20  # a handed-in notebook larger than this is not read


def load_extra_tests(path: str | Path) -> dict[str, list[Check]]:
    """An instructor's private tests: a ``.py`` file or a folder of them, each with EXERCISE and CHECKS."""
    path = Path(path)
    files = sorted(path.glob("*.py")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        raise FileNotFoundError(f"--tests {path}: no such .py file, or a folder without .py files")
    found: dict[str, list[Check]] = {}
    for number, file in enumerate(files):
        spec = importlib.util.spec_from_file_location(f"losslab_extra_tests_{number}_{file.stem}", file)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        exercise, checks = getattr(module, "EXERCISE", None), getattr(module, "CHECKS", None)
        if not isinstance(exercise, str) or not isinstance(checks, list | tuple):
            raise ValueError(f"{file}: define EXERCISE = 'NN_slug' and CHECKS = [Check(...), ...]")
        if not all(isinstance(c, Check) for c in checks):
            raise ValueError(f"{file}: every entry of CHECKS must be a losslab.exercises.checks.Check")
        found.setdefault(exercise, []).extend(checks)
    return found


def exercise_suites(extra_tests: str | Path | None = None) -> dict[str, tuple[Check, ...]]:
    """Every graded exercise and its checks: the course's suites, then the instructor's extra tests."""
    from losslab.exercises.registry import suite_for_exercise, suite_modules

    suites = {exercise: tuple(suite_for_exercise(exercise)) for exercise in suite_modules()}
    if extra_tests is not None:
        for exercise, checks in load_extra_tests(extra_tests).items():
            suites[exercise] = suites.get(exercise, ()) + tuple(checks)
    return dict(sorted(suites.items()))


def _engine_digest(extra_tests: Path | None, limits: Limits) -> str:
    """Everything that can change a grade, except the notebook: the whole package's source (every
    module a check may use), the versions of TensorFlow, Keras and NumPy, the limits, the extra tests."""
    import keras
    import numpy
    import tensorflow as tf

    digest = hashlib.sha256(
        f"{losslab.__version__} {tf.__version__} {keras.__version__} {numpy.__version__} "
        f"{sys.version_info[:2]} {limits}".encode()
    )
    package = Path(losslab.__file__).parent
    files = sorted(package.rglob("*.py"))
    if extra_tests is not None:
        files += sorted(extra_tests.glob("*.py")) if extra_tests.is_dir() else [extra_tests]
    for file in files:
        digest.update(str(file.relative_to(package) if package in file.parents else file.name).encode())
        digest.update(file.read_bytes() if file.is_file() else b"-")
    return digest.hexdigest()


def _fingerprint(exercise: str, checks: Sequence[Check], engine: str) -> str:
    """Changes when anything that decides this exercise's grade changes (tests, engine, limits)."""
    digest = hashlib.sha256(f"{engine} {exercise}".encode())
    for check_ in checks:
        digest.update(f"{check_.target}|{check_.name}|{check_.points}\n".encode())
    return digest.hexdigest()[:16]


def find_submission(learner_dir: Path, exercise: str) -> tuple[Path | None, str]:
    """The learner's notebook for ``exercise``: exact name, else the one file starting ``NN_``."""
    exact = learner_dir / f"{exercise}.ipynb"
    if exact.is_symlink():
        return None, f"`{exact.name}` is a symbolic link: hand in the notebook file itself"
    if exact.is_file():
        return exact, ""
    prefix = exercise.split("_", 1)[0] + "_"
    candidates = sorted(p for p in learner_dir.glob(f"{prefix}*.ipynb") if p.is_file() and not p.is_symlink())
    if len(candidates) == 1:
        return candidates[0], f"graded `{candidates[0].name}` (expected the name `{exact.name}`)"
    if len(candidates) > 1:
        names = ", ".join(f"`{p.name}`" for p in candidates)
        return None, f"several notebooks could be this exercise ({names}); hand in one named `{exact.name}`"
    return None, f"not handed in: no `{exact.name}`"


def _grade_from(
    learner: str, exercise: str, checks: Sequence[Check], results, problems, **info
) -> ExerciseGrade:
    tests = [TestOutcome(r.check.target, r.check.name, r.points, r.check.points, r.message) for r in results]
    return ExerciseGrade(
        learner,
        exercise,
        sum(t.points for t in tests),
        sum(c.points for c in checks),
        tests,
        list(problems),
        **info,
    )


def _missing(
    learner: str, exercise: str, checks: Sequence[Check], why: str, submission: str | None = None
) -> ExerciseGrade:
    message = "not run: no notebook" if submission is None else "not run: the notebook was not graded"
    tests = [TestOutcome(c.target, c.name, 0, c.points, message) for c in checks]
    return ExerciseGrade(learner, exercise, 0, sum(c.points for c in checks), tests, [why], submission)


def grade_one(
    path: Path,
    exercise: str,
    checks: Sequence[Check],
    learner: str = "",
    limits: Limits = _DEFAULT_LIMITS,
    protected: Sequence[str | Path] = (),
    fingerprint: str = "",
    note: str = "",
) -> ExerciseGrade:
    """Grade one notebook file against ``checks`` (learner code confined, see :mod:`losslab.grading.sandbox`).

    Never raises for anything in the notebook: a notebook that cannot be graded gets 0
    points and the reason.
    """
    started = time.monotonic()
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            why = f"the notebook is {size >> 20} MB, over the {MAX_NOTEBOOK_BYTES >> 20} MB the grader reads"
            return _missing(learner, exercise, checks, why, submission=path.name)
        data = path.read_bytes()
    except OSError as exc:
        return _missing(learner, exercise, checks, f"the notebook could not be read ({exc.strerror})")
    try:
        outcome = grade_notebook(path, checks, limits, [str(p) for p in protected])
    except Exception as exc:  # noqa: BLE001 - a grader failure costs this notebook, never the class
        why = f"the grader failed on this notebook ({type(exc).__name__}: {str(exc)[:200]}); tell your instructor"
        return _missing(learner, exercise, checks, why, submission=path.name)
    problems = ([note] if note else []) + outcome.problems
    return _grade_from(
        learner,
        exercise,
        checks,
        outcome.results,
        problems,
        submission=path.name,
        submission_sha256=hashlib.sha256(data).hexdigest(),
        fingerprint=fingerprint,
        seconds=round(time.monotonic() - started, 2),
        confinement=outcome.confinement,
    )


def grade_class(
    submissions: str | Path,
    out: str | Path,
    extra_tests: str | Path | None = None,
    jobs: int = 2,
    limits: Limits = _DEFAULT_LIMITS,
    regrade: bool = False,
    log: Callable[[str], None] = print,
) -> list[ExerciseGrade]:
    """Grade every learner's folder in ``submissions``; write the sheet and feedback into ``out``.

    Every entry of ``submissions`` gets rows in ``grades.csv`` or a line in
    ``not_graded.csv`` with the reason; nothing in a notebook ends the run.
    """
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    check_out_folder(submissions, out)
    extra = Path(extra_tests).resolve() if extra_tests is not None else None
    suites = exercise_suites(extra)
    protected = [submissions, out] + ([extra] if extra else [])
    learners, skipped = learner_folders(submissions, out)
    write_not_graded(out / "not_graded.csv", skipped)
    for entry in skipped:
        log(f"not graded: {entry.name}: {entry.reason}")
    stems = {learner.learner: learner.file_stem for learner in learners}
    engine = _engine_digest(extra, limits) if learners else ""
    grades: dict[tuple[str, str], ExerciseGrade] = {}
    todo = []
    for learner in learners:
        for exercise, checks in suites.items():
            key = (learner.learner, exercise)
            try:
                path, note = find_submission(learner.path, exercise)
            except OSError as exc:
                path, note = None, f"the folder could not be read ({exc.strerror})"
            if path is None:
                grades[key] = _missing(learner.learner, exercise, checks, note)
                continue
            fingerprint = _fingerprint(exercise, checks, engine)
            cached = out / "results" / learner.file_stem / f"{exercise}.json"
            if cached.is_file() and not regrade:
                try:
                    old = ExerciseGrade.from_json(json.loads(cached.read_text(encoding="utf-8")))
                    if (
                        old.fingerprint == fingerprint
                        and path.stat().st_size <= MAX_NOTEBOOK_BYTES
                        and old.submission_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
                    ):
                        grades[key] = old
                        continue
                except (ValueError, TypeError, KeyError, OSError, RecursionError):
                    pass
            todo.append((learner.learner, exercise, checks, path, note, fingerprint))
    log(f"grading {len(learners)} learners x {len(suites)} exercises: {len(todo)} notebooks to run")

    def write_feedback(learner: str) -> None:
        mine = [g for (name, _), g in grades.items() if name == learner]
        write_atomically(out / "feedback" / f"{stems[learner]}.md", feedback_markdown(learner, mine))

    def save(grade: ExerciseGrade) -> None:
        grades[(grade.learner, grade.exercise)] = grade
        result = out / "results" / stems[grade.learner] / f"{grade.exercise}.json"
        write_atomically(result, json.dumps(grade.to_json(), indent=1))
        write_grade_sheet(out / "grades.csv", list(grades.values()))
        write_feedback(grade.learner)

    write_grade_sheet(out / "grades.csv", list(grades.values()))
    for learner in learners:
        write_feedback(learner.learner)
    if todo:
        start_fork_server()
        if warning := unconfined_warning():
            log(warning)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        started = time.monotonic()
        futures = {
            pool.submit(grade_one, path, exercise, checks, learner, limits, protected, fingerprint, note): (
                learner,
                exercise,
                checks,
                path,
            )
            for learner, exercise, checks, path, note, fingerprint in todo
        }
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                try:
                    grade = future.result()
                except Exception as exc:  # noqa: BLE001 - a grader bug costs one notebook, never the run
                    learner, exercise, checks, path = futures[future]
                    why = f"the grader failed on this notebook ({type(exc).__name__}); tell your instructor"
                    grade = _missing(learner, exercise, checks, why, submission=path.name)
                    log(f"error: {learner} {exercise}: {type(exc).__name__}: {str(exc)[:300]}")
                save(grade)
                weak = [k for k, v in grade.confinement.items() if not v]
                if done == 1 and weak:
                    log(f"warning: this system does not allow the sandbox's {', '.join(weak)} limits")
                elapsed = time.monotonic() - started
                log(
                    f"[{done}/{len(todo)}] {grade.learner} {grade.exercise}: "
                    f"{grade.points} / {grade.max_points} ({elapsed:.0f} s)"
                )
        except KeyboardInterrupt:
            for future in futures:
                future.cancel()
            stop_all_workers()
            log("interrupted: what was graded is saved; run the same command again to resume")
            raise
    result = sorted(grades.values(), key=lambda g: (g.learner, g.exercise))
    write_class_report(out, result)
    return result


def _exercise_of(path: Path, exercises: Sequence[str]) -> str | None:
    if path.stem in exercises:
        return path.stem
    prefix = path.name.split("_", 1)[0]
    matches = [e for e in exercises if e.split("_", 1)[0] == prefix]
    return matches[0] if len(matches) == 1 else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="losslab grade",
        description="Grade a whole class (a grade sheet and feedback per learner), or one notebook.",
    )
    add = parser.add_argument
    add("submissions", type=Path, metavar="SUBMISSIONS", help="folder of learners' folders, or one notebook")
    add("--out", type=Path, metavar="OUT", help="where grades.csv and feedback/ go")
    add("--tests", type=Path, metavar="EXTRA", help="private tests: a .py file or folder (EXERCISE, CHECKS)")
    add("--jobs", type=int, metavar="N", default=min(2, os.cpu_count() or 1), help="notebooks at a time")
    add("--timeout", type=float, metavar="SECONDS", default=60.0, help="for the graded cells, and per test")
    add("--memory", type=int, metavar="MB", default=2048, help="memory the learner's code may use")
    add("--regrade", action="store_true", help="ignore results saved by an earlier run")
    args = parser.parse_args(argv)
    try:
        check_options(args.timeout, args.memory, args.jobs)
    except ValueError as exc:
        parser.error(str(exc))
    limits = Limits(timeout=args.timeout, memory_mb=args.memory)
    if args.submissions.is_file():
        suites = exercise_suites(args.tests)
        exercise = _exercise_of(args.submissions, list(suites))
        if exercise is None:
            parser.error(f"{args.submissions.name}: not one of the graded exercises ({', '.join(suites)})")
        start_fork_server()
        if warning := unconfined_warning():
            print(warning, file=sys.stderr)
        extra = [args.tests.resolve()] if args.tests else []
        grade = grade_one(
            args.submissions.resolve(), exercise, suites[exercise], limits=limits, protected=extra
        )
        print("\n".join(exercise_markdown(grade, heading="#")))
        return 0
    if args.out is None:
        parser.error("grading a folder of learners needs --out OUT")
    try:
        check_out_folder(args.submissions.resolve(), args.out.resolve())
    except ValueError as exc:
        parser.error(str(exc))
    try:
        grades = grade_class(args.submissions, args.out, args.tests, args.jobs, limits, args.regrade, print)
    except KeyboardInterrupt:
        return 130
    total = sum(g.points for g in grades)
    print(
        f"wrote {args.out / 'grades.csv'} ({len(grades)} rows, {total} points), {args.out / 'feedback'}/ "
        f"and the class report {args.out / 'report.html'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
