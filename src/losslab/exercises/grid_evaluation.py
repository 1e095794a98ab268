"""Exercise 09's evaluation: train a learner's approach on the digit grids, score it, say why it misses.

The learner writes ``fit_multilabel(x_train, y_train, x_val, y_val, seed=0)``
returning ``(scores_fn, thresholds)``: ``scores_fn(x)`` gives one score per label,
shape ``(n, 10)`` (logits or probabilities), and ``thresholds`` (shape ``(10,)``,
same units) decide: label ``k`` is predicted when ``scores_fn(x)[:, k] >= thresholds[k]``.

One function, :func:`evaluate_approach`, serves the learner's self-check and the
instructor's grader, so both compute the same numbers for the same notebook:

* the same data: :func:`losslab.data.digit_grids.load_digit_grids` with its defaults;
* the same seed: ``fit_multilabel(..., seed=GRADING_SEED)``, whose first line (given
  in the exercise) seeds Keras with it, in whichever process runs the learner's code;
* the same arithmetic: TensorFlow on :data:`GRADING_THREADS` thread, as in the
  grader's sandbox (the exercise's first cell asks for it: the order of
  floating-point sums, so the trained weights, depend on the number of threads);
* the same scoring: :func:`score_predictions`.

:func:`diagnose` names why an approach misses the bar, in this order: per-label
thresholds (the scores rank well, and thresholds tuned on the validation grids
would pass), the loss (softmax scores: the labels compete), or the model (even
the best thresholds fail; its mean average precision is low).

The bars and the reference's pass rate over 20 seeds are measured by
``benchmarks/grid_exercise.py``.
"""

from __future__ import annotations

import inspect
import types
from dataclasses import dataclass, field

import numpy as np

from losslab.exercises.checks import Mistake, as_array

__all__ = [
    "GRADING_SEED",
    "GRADING_THREADS",
    "MACRO_F1_BAR",
    "MICRO_F1_BAR",
    "ApproachRun",
    "Diagnosis",
    "GridScores",
    "best_f1_per_label",
    "best_thresholds",
    "diagnose",
    "evaluate_approach",
    "looks_like_softmax",
    "mentions_softmax",
    "score_predictions",
]

GRADING_SEED = 0
GRADING_THREADS = 1  # the grader's sandbox runs TensorFlow on one thread
MICRO_F1_BAR = 0.90
MACRO_F1_BAR = 0.755  # between the reference and a global 0.5 threshold, measured over 20 seeds

_SOFTMAX_WORDS = ("softmax", "categoricalcrossentropy", "categorical_crossentropy")


def best_f1_per_label(y_true, scores) -> np.ndarray:
    """The highest F1 any threshold ``scores >= t`` reaches, per label; float64 (K,)."""
    return _best_per_label(y_true, scores)[0]


def best_thresholds(y_true, scores) -> np.ndarray:
    """Per-label thresholds ``t`` (units of ``scores``) maximising the F1 of ``scores >= t``; float64 (K,).

    Every distinct score is tried. A label without positives gets a threshold above its
    highest score (never predicted).
    """
    return _best_per_label(y_true, scores)[1]


def _best_per_label(y_true, scores) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true, dtype=np.float64)
    scores = np.asarray(scores, dtype=np.float64)
    if y_true.ndim != 2 or y_true.shape != scores.shape:
        raise ValueError(f"y_true {y_true.shape} and scores {scores.shape} must both have shape (n, K)")
    best = np.zeros(y_true.shape[1])
    thresholds = np.empty(y_true.shape[1])
    for k in range(y_true.shape[1]):
        order = np.argsort(-scores[:, k], kind="stable")
        s, y = scores[order, k], y_true[order, k]
        if y.sum() == 0:
            thresholds[k] = s.max() + 1.0 if len(s) else 0.0
            continue
        true_pos = np.cumsum(y)
        # predicting "scores >= t" for t = s[i] selects every index up to the last tie of s[i]
        last = np.searchsorted(-s, -s, side="right") - 1
        f1 = 2 * true_pos[last] / (last + 1.0 + y.sum())
        i = int(np.argmax(f1))
        best[k], thresholds[k] = f1[i], s[i]
    return best, thresholds


@dataclass(frozen=True)
class GridScores:
    """Test-set figures of one approach (floats in [0, 1]); ``mean_ap`` is None without scores."""

    micro_f1: float
    macro_f1: float
    micro_precision: float
    micro_recall: float
    per_label_f1: tuple[float, ...]
    mean_ap: float | None = None

    @property
    def passed(self) -> bool:
        return self.micro_f1 >= MICRO_F1_BAR and self.macro_f1 >= MACRO_F1_BAR

    def line(self) -> str:
        return f"micro-F1 {self.micro_f1:.3f} (bar {MICRO_F1_BAR}), macro-F1 {self.macro_f1:.3f} (bar {MACRO_F1_BAR})"


def score_predictions(y_true, predicted, scores=None) -> GridScores:
    """Micro/macro F1, micro precision/recall, per-label F1 and (given scores) mAP, with scikit-learn."""
    from sklearn.metrics import f1_score, precision_score, recall_score

    from losslab.modeling.decoding import mean_average_precision

    y_true = np.asarray(y_true).astype(np.int64)
    predicted = np.asarray(predicted).astype(np.int64)
    return GridScores(
        micro_f1=float(f1_score(y_true, predicted, average="micro", zero_division=0.0)),
        macro_f1=float(f1_score(y_true, predicted, average="macro", zero_division=0.0)),
        micro_precision=float(precision_score(y_true, predicted, average="micro", zero_division=0.0)),
        micro_recall=float(recall_score(y_true, predicted, average="micro", zero_division=0.0)),
        per_label_f1=tuple(float(v) for v in f1_score(y_true, predicted, average=None, zero_division=0.0)),
        mean_ap=None if scores is None else float(mean_average_precision(y_true, np.asarray(scores))),
    )


@dataclass(frozen=True)
class ApproachRun:
    """What one training of a learner's approach gave (test arrays have one row per test grid).

    Attributes:
        val_scores, test_scores: float64 (n, 10), the learner's scores.
        thresholds: float64 (10,), the learner's thresholds.
        predicted: int64 (n, 10), ``test_scores >= thresholds``.
        result: the test figures.
        softmax: True when the approach looks like a softmax (scores or code).
        notes: remarks for the learner that do not cost points.
        scores_fn: the learner's scoring function (to call again, e.g. on one grid).
    """

    val_scores: np.ndarray
    test_scores: np.ndarray
    thresholds: np.ndarray
    predicted: np.ndarray
    result: GridScores
    softmax: bool
    notes: tuple[str, ...] = ()
    scores_fn: object = field(default=None, repr=False)


def _code_words(fn) -> set[str]:
    """Names and string constants used by ``fn``'s code, nested functions included (lower case)."""
    code = getattr(fn, "__code__", None)
    words: set[str] = set()
    stack = [code] if isinstance(code, types.CodeType) else []
    while stack:
        current = stack.pop()
        words.update(n.lower() for n in current.co_names + current.co_varnames)
        for const in current.co_consts:
            if isinstance(const, str):
                words.add(const.lower())
            elif isinstance(const, types.CodeType):
                stack.append(const)
    return words


def mentions_softmax(fn) -> bool:
    """Does ``fn``'s code use a softmax or categorical cross-entropy (by name)?"""
    return any(word in w for w in _code_words(fn) for word in _SOFTMAX_WORDS if "sparse" not in w)


def looks_like_softmax(scores) -> bool:
    """Are ``scores`` (n, K) probabilities summing to 1 on (almost) every row?"""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 2 or len(scores) == 0 or scores.min() < 0 or scores.max() > 1:
        return False
    return bool(np.mean(np.abs(scores.sum(axis=1) - 1.0) < 1e-3) > 0.99)


def _accepts_seed(fit) -> bool:
    try:
        params = inspect.signature(fit).parameters.values()
    except (TypeError, ValueError):
        return True  # cannot tell: let the call say
    return any(p.name == "seed" or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def _scores_of(scores_fn, x, what: str) -> np.ndarray:
    got = as_array(scores_fn(x), what)
    if got.shape != (len(x), 10):
        raise Mistake(f"{what} has shape {got.shape}; expected ({len(x)}, 10): one score per label and grid")
    if not np.issubdtype(got.dtype, np.number) or not np.isfinite(got).all():
        raise Mistake(f"{what} should hold finite numbers (logits or probabilities)")
    return got.astype(np.float64)


def evaluate_approach(fit, seed: int = GRADING_SEED, data=None) -> ApproachRun:
    """Train ``fit`` once on the digit grids and score it on the held-out test grids.

    ``data`` defaults to ``load_digit_grids()``. Raises :class:`~losslab.exercises.checks.Mistake`
    when ``fit`` breaks the contract (see the module docstring).
    """
    from losslab.data.digit_grids import load_digit_grids

    data = load_digit_grids() if data is None else data
    if not _accepts_seed(fit):
        raise Mistake(
            "fit_multilabel must take seed=... and start with keras.utils.set_random_seed(seed), as the "
            "exercise gives it: the grader trains your function with the same seed as your self-check"
        )
    returned = fit(data.train.x, data.train.y, data.val.x, data.val.y, seed=seed)
    if not (isinstance(returned, tuple | list) and len(returned) == 2):
        raise Mistake(
            f"fit_multilabel returned a {type(returned).__name__}; return two things, (scores_fn, thresholds), "
            "e.g. `return (lambda x: model.predict(x, verbose=0)), thresholds`"
        )
    scores_fn, thresholds = returned
    if not callable(scores_fn) or hasattr(scores_fn, "get_weights"):
        raise Mistake(
            f"the first thing fit_multilabel returns is a {type(scores_fn).__name__}; make it a function of "
            "the grids giving one score per label, e.g. `lambda x: model.predict(x, verbose=0)`"
        )
    thresholds = as_array(thresholds, "the thresholds fit_multilabel returns")
    if thresholds.shape != (10,) or not np.issubdtype(thresholds.dtype, np.number):
        raise Mistake(
            f"the thresholds fit_multilabel returns have shape {thresholds.shape}; return ten numbers, "
            "one per label, in the units of your scores"
        )
    if not np.isfinite(thresholds).all():
        raise Mistake("the thresholds fit_multilabel returns should be finite numbers")
    val_scores = _scores_of(scores_fn, data.val.x, "scores_fn(x_val)")
    test_scores = _scores_of(scores_fn, data.test.x, "scores_fn(x_test)")
    predicted = (test_scores >= thresholds).astype(np.int64)
    notes = []
    words = _code_words(fit)
    if words and "set_random_seed" not in words:
        notes.append(
            "fit_multilabel does not call keras.utils.set_random_seed(seed): the grader's training may "
            "then differ from this one"
        )
    return ApproachRun(
        val_scores=val_scores,
        test_scores=test_scores,
        thresholds=thresholds.astype(np.float64),
        predicted=predicted,
        result=score_predictions(data.test.y, predicted, test_scores),
        softmax=looks_like_softmax(test_scores) or mentions_softmax(fit),
        notes=tuple(notes),
        scores_fn=scores_fn,
    )


@dataclass(frozen=True)
class Diagnosis:
    """Why an approach missed the bar: ``cause`` is "thresholds", "loss" or "model"."""

    cause: str
    message: str
    tuned: GridScores


def diagnose(run: ApproachRun, data=None) -> Diagnosis:
    """Name the cause of a miss from the learner's own scores (no training)."""
    from losslab.data.digit_grids import load_digit_grids

    data = load_digit_grids() if data is None else data
    tuned_thresholds = best_thresholds(data.val.y, run.val_scores)
    tuned = score_predictions(data.test.y, run.test_scores >= tuned_thresholds, run.test_scores)
    best = f"micro-F1 {tuned.micro_f1:.3f}, macro-F1 {tuned.macro_f1:.3f}"
    if tuned.passed:
        if np.allclose(run.thresholds, run.thresholds[0]):
            yours = f"one threshold ({run.thresholds[0]:.3g}) for every label"
        else:
            yours = "thresholds that are not the best ones on the validation grids"
        return Diagnosis(
            "thresholds",
            f"The cause is the thresholds, not the model: your scores rank the grids well (mAP "
            f"{tuned.mean_ap:.3f}), and one threshold per label tuned on the validation grids would reach "
            f"{best} and pass. You used {yours}; rare labels need lower thresholds than common ones. Call "
            "tune_thresholds(y_val, scores on x_val) and return its result, in the units of your scores.",
            tuned,
        )
    if run.softmax:
        return Diagnosis(
            "loss",
            f"The cause is the loss: your model uses a softmax, so the ten labels compete for one unit of "
            f"probability (a grid with three digits can give each at most about 1/3). Even the best "
            f"per-label thresholds reach only {best}. Use one sigmoid per label: a Dense(10) layer giving "
            "logits, with BinaryCrossentropy(from_logits=True).",
            tuned,
        )
    return Diagnosis(
        "model",
        f"The cause is the model: even the best per-label thresholds, tuned on the validation grids, reach "
        f"only {best}, and its mean average precision is {tuned.mean_ap:.3f} (the hint's small CNN reaches "
        "about 0.8 on these grids): its scores do not rank the grids well. Use the hint's CNN (two Conv2D + MaxPooling2D "
        "blocks), start the output biases at the labels' log-odds, and check that the training loss falls.",
        tuned,
    )
