"""Checks for exercise 09 (choosing a loss): an open multi-label problem graded by a metric bar.

Graded objects (names fixed by the exercise notebook):

* ``tune_thresholds(y_true, scores)`` -> array (K,): per-label thresholds ``t`` such
  that ``scores >= t`` maximises each label's F1 on the given data. ``scores`` may
  be probabilities or logits (thresholds are in the same units).
* ``fit_multilabel(x_train, y_train, x_val, y_val, seed=0)`` -> ``(scores_fn, thresholds)``:
  trains any model the learner likes on the digit grids (:mod:`losslab.data.digit_grids`);
  graded only by what it achieves on held-out test grids (handwriting never seen in
  training): micro-F1 and macro-F1 must reach :data:`MICRO_F1_BAR` and :data:`MACRO_F1_BAR`.
  Training, scoring and the diagnosis of a miss are :mod:`losslab.exercises.grid_evaluation`'s,
  the same code in the self-check and in the grader.
"""

from __future__ import annotations

import weakref

import numpy as np

from losslab.exercises.checks import Check, Mistake, as_array, expect_raises
from losslab.exercises.grid_evaluation import (
    MACRO_F1_BAR,
    MICRO_F1_BAR,
    ApproachRun,
    best_f1_per_label,
    diagnose,
    evaluate_approach,
)

__all__ = ["CHECKS", "EXERCISE", "MACRO_F1_BAR", "MICRO_F1_BAR", "best_f1_per_label"]

EXERCISE = "09_choosing_a_loss"


# --- tune_thresholds ---------------------------------------------------------


def _synthetic_scores(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Three labels whose best thresholds differ: about 0.3, 0.85, and somewhere in an overlap."""
    rng = np.random.default_rng(seed)
    n = 300
    y = (rng.random((n, 3)) < [0.5, 0.1, 0.3]).astype(np.float32)
    scores = np.empty((n, 3), dtype=np.float32)
    scores[:, 0] = np.where(y[:, 0] == 1, rng.uniform(0.3, 1.0, n), rng.uniform(0.0, 0.29, n))
    scores[:, 1] = np.where(y[:, 1] == 1, rng.uniform(0.86, 1.0, n), rng.uniform(0.0, 0.85, n))
    scores[:, 2] = np.where(y[:, 2] == 1, rng.uniform(0.2, 0.9, n), rng.uniform(0.0, 0.6, n))
    return y, scores


def _thresholds(fn, y, scores, what: str) -> np.ndarray:
    got = as_array(fn(y, scores), what)
    if got.shape == ():
        raise Mistake(
            f"{what} returned one number; return one threshold per label, shape ({y.shape[1]},): "
            "a rare label usually needs a lower threshold than a common one"
        )
    if got.shape != (y.shape[1],):
        raise Mistake(f"{what} has shape {got.shape}; return one threshold per label, shape ({y.shape[1]},)")
    if not np.issubdtype(got.dtype, np.number) or not np.isfinite(got).all():
        raise Mistake(f"{what} should hold finite numbers, got {got!r}")
    return got


def _compare_with_best(y, scores, thresholds, units: str) -> None:
    from sklearn.metrics import f1_score

    best = best_f1_per_label(y, scores)
    for k in range(y.shape[1]):
        f1 = f1_score(y[:, k], scores[:, k] >= thresholds[k], zero_division=0.0)
        if f1 < best[k] - 1e-9:
            hint = ""
            if np.allclose(thresholds, thresholds[0]):
                hint = " You gave every label the same threshold; tune each label (column) on its own."
            elif units == "logits" and (thresholds[k] <= 1) and (thresholds[k] >= 0):
                hint = " These scores are logits, not probabilities: search thresholds among the scores themselves."
            raise Mistake(
                f"label {k} ({units}): your threshold {float(thresholds[k]):.4g} gives F1 {f1:.3f}, "
                f"but a threshold exists that gives F1 {best[k]:.3f}.{hint} "
                "Try every distinct score of the label as a candidate threshold (or use "
                "sklearn.metrics.precision_recall_curve), predicting positive for scores >= threshold."
            )


def _tune_probabilities(fn):
    y, scores = _synthetic_scores(0)
    thresholds = _thresholds(fn, y, scores, "tune_thresholds(y, probabilities)")
    _compare_with_best(y, scores, thresholds, "probabilities")


def _tune_logits(fn):
    y, probs = _synthetic_scores(1)
    clipped = np.clip(probs, 1e-4, 1 - 1e-4)
    logits = (np.log(clipped) - np.log1p(-clipped)).astype(np.float32) * 3.0
    thresholds = _thresholds(fn, y, logits, "tune_thresholds(y, logits)")
    _compare_with_best(y, logits, thresholds, "logits")


def _tune_rejects(fn):
    y, scores = _synthetic_scores(2)
    bad = y.copy()
    bad[0, 0] = 2.0
    expect_raises(lambda: fn(bad, scores), ValueError, "labels other than 0 and 1 (a 2 in y_true)")
    expect_raises(lambda: fn(y[:-1], scores), ValueError, "y_true and scores with different numbers of rows")


def _tune_no_positives(fn):
    y, scores = _synthetic_scores(3)
    y[:, 1] = 0.0
    thresholds = _thresholds(fn, y, scores, "tune_thresholds with a label that has no positive")
    if (scores[:, 1] >= thresholds[1]).any():
        raise Mistake(
            "label 1 has no positive example, so the best F1 comes from predicting it for no one: "
            "return a threshold above its highest score"
        )


# --- fit_multilabel ----------------------------------------------------------

_runs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _run(fn) -> ApproachRun:
    """Train ``fn`` once with the grading seed (cached per function object, for the checks that follow)."""
    if fn not in _runs:
        _runs[fn] = evaluate_approach(fn)
    return _runs[fn]


def _fit_metric_bar(fn):
    run = _run(fn)
    result = run.result
    print(f"held-out test grids: {result.line()}")
    for note in run.notes:
        print(f"note: {note}")
    if result.passed:
        return
    from losslab.data.digit_grids import load_digit_grids

    data = load_digit_grids()
    base_rates = data.train.y.mean(axis=0)
    worst = np.argsort(result.per_label_f1)[:3]
    lines = [
        f"{result.line()}; micro precision {result.micro_precision:.3f}, recall {result.micro_recall:.3f}.",
        "weakest labels: "
        + ", ".join(
            f"digit {k} F1 {result.per_label_f1[k]:.2f} (base rate {base_rates[k]:.1%})" for k in worst
        )
        + ".",
        diagnose(run, data).message,
    ]
    raise Mistake("\n".join(lines))


def _fit_batch_of_one(fn):
    run = _run(fn)
    from losslab.data.digit_grids import load_digit_grids

    one = load_digit_grids().test.x[:1]
    got = as_array(run.scores_fn(one), "scores_fn(x_test[:1])")
    if got.shape != (1, 10):
        raise Mistake(
            f"scores_fn on a batch of one grid gives shape {got.shape}, expected (1, 10): "
            "do not squeeze the batch axis away"
        )


CHECKS = [
    Check("tune_thresholds", "one threshold per label, each maximising that label's F1", _tune_probabilities),
    Check("tune_thresholds", "works on logits as well as probabilities", _tune_logits),
    Check("tune_thresholds", "refuses labels other than 0/1 and mismatched shapes", _tune_rejects),
    Check(
        "tune_thresholds",
        "a label without positives is never predicted",
        _tune_no_positives,
        self_check=False,
    ),
    Check(
        "fit_multilabel",
        f"micro-F1 >= {MICRO_F1_BAR} and macro-F1 >= {MACRO_F1_BAR} on held-out grids",
        _fit_metric_bar,
        points=5,
    ),
    Check("fit_multilabel", "scores_fn works on a batch of one grid", _fit_batch_of_one, self_check=False),
]
