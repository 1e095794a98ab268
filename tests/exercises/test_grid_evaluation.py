"""Exercise 09's evaluation: exact best thresholds, the diagnosis of a miss, and the same numbers in the
self-check and in the grader."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from losslab.data.digit_grids import load_digit_grids
from losslab.exercises.grid_evaluation import (
    GRADING_THREADS,
    ApproachRun,
    best_f1_per_label,
    best_thresholds,
    diagnose,
    looks_like_softmax,
    mentions_softmax,
    score_predictions,
)


def test_best_thresholds_reach_the_best_f1_and_skip_labels_without_positives():
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(0)
    y = (rng.random((400, 4)) < [0.5, 0.1, 0.02, 0.0]).astype(int)
    scores = y * rng.uniform(0.2, 1.0, y.shape) + rng.uniform(0.0, 0.6, y.shape)
    thresholds = best_thresholds(y, scores)
    best = best_f1_per_label(y, scores)
    for k in range(3):
        assert f1_score(y[:, k], scores[:, k] >= thresholds[k]) == pytest.approx(best[k])
        grid = [f1_score(y[:, k], scores[:, k] >= t, zero_division=0.0) for t in np.unique(scores[:, k])]
        assert best[k] == pytest.approx(max(grid))
    assert not (scores[:, 3] >= thresholds[3]).any() and best[3] == 0.0
    with pytest.raises(ValueError, match="shape"):
        best_thresholds(y[:-1], scores)


def test_softmax_is_recognised_by_its_rows_and_by_its_code():
    rows = np.random.default_rng(1).random((50, 10))
    assert looks_like_softmax(rows / rows.sum(axis=1, keepdims=True))
    assert not looks_like_softmax(rows) and not looks_like_softmax(np.log(rows))

    def with_softmax(x):
        return x.layers.Dense(10, activation="softmax")

    def with_cce(x):
        return x.losses.CategoricalCrossentropy()

    def with_sparse_and_bce(x):
        return x.losses.SparseCategoricalCrossentropy(), x.losses.BinaryCrossentropy()

    assert mentions_softmax(with_softmax) and mentions_softmax(with_cce)
    assert not mentions_softmax(with_sparse_and_bce) and not mentions_softmax(42)


@pytest.fixture(scope="module")
def grids():
    return load_digit_grids()


def _run(grids, val_scores, test_scores, thresholds) -> ApproachRun:
    predicted = (test_scores >= thresholds).astype(np.int64)
    return ApproachRun(
        val_scores,
        test_scores,
        np.asarray(thresholds, dtype=float),
        predicted,
        score_predictions(grids.test.y, predicted, test_scores),
        softmax=looks_like_softmax(test_scores),
    )


@pytest.mark.parametrize(
    "make, thresholds, cause",
    [
        # a perfect ranking that a global 0.5 never crosses: the thresholds are the cause
        (lambda y, rng: 0.4 * y + 0.09 * rng.random(y.shape), 0.5, "thresholds"),
        # softmax rows (the labels compete), and even the best thresholds fail: the loss
        (lambda y, rng: np.exp(0.5 * y + rng.normal(size=y.shape)), 0.1, "loss"),
        # independent but weak scores: the model
        (lambda y, rng: 0.5 * y + rng.normal(size=y.shape), 0.0, "model"),
    ],
)
def test_the_diagnosis_names_the_cause(grids, make, thresholds, cause):
    rng = np.random.default_rng(3)
    val, test = make(grids.val.y, rng), make(grids.test.y, rng)
    if cause == "loss":
        val, test = val / val.sum(axis=1, keepdims=True), test / test.sum(axis=1, keepdims=True)
    run = _run(grids, val, test, np.full(10, thresholds))
    assert not run.result.passed
    diagnosis = diagnose(run, grids)
    assert diagnosis.cause == cause, diagnosis.message
    assert f"The cause is the {cause}" in diagnosis.message
    assert diagnosis.tuned.passed == (cause == "thresholds")


@pytest.mark.slow
def test_self_check_and_grader_compute_the_same_numbers(repo_root, capsys):
    """The solution's self-check (in a notebook-like process) and the grader (sandbox) print the same figures."""
    from losslab.exercises.suites.choosing_a_loss import CHECKS
    from losslab.grading.sandbox import Limits, grade_notebook, start_fork_server

    solution = Path(repo_root) / "solutions" / "09_choosing_a_loss.ipynb"
    code = (
        "from losslab.exercises.nbtools import exec_graded_cells\n"
        "from losslab.exercises.checks import check\n"
        f"ns = exec_graded_cells({str(solution)!r})\n"
        "check(ns['fit_multilabel'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    [self_check] = [line for line in done.stdout.splitlines() if line.startswith("held-out test grids:")]

    start_fork_server()
    outcome = grade_notebook(solution, CHECKS, Limits(timeout=600))
    assert all(r.passed for r in outcome.results), [r.message for r in outcome.results]
    [graded] = [
        line for line in capsys.readouterr().out.splitlines() if line.startswith("held-out test grids:")
    ]
    assert graded == self_check
    assert GRADING_THREADS == 1


def test_the_grader_runs_tensorflow_on_the_threads_the_exercise_asks_for():
    from losslab.grading import worker_processes

    env = worker_processes._WORKER_ENV
    assert env["TF_NUM_INTRAOP_THREADS"] == env["TF_NUM_INTEROP_THREADS"] == str(GRADING_THREADS)


@pytest.mark.parametrize(
    "notebook", ["notebooks/09_choosing_a_loss.ipynb", "solutions/09_choosing_a_loss.ipynb"]
)
def test_the_bar_the_learner_reads_is_the_bar_that_grades(repo_root, notebook):
    import nbformat

    from losslab.exercises.grid_evaluation import MACRO_F1_BAR, MICRO_F1_BAR

    cells = nbformat.read(Path(repo_root) / notebook, as_version=4).cells
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert f"micro-F1 ≥ {MICRO_F1_BAR:.2f} and macro-F1 ≥ {MACRO_F1_BAR}" in text
