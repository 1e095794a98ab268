"""Checks for exercise 09 (choosing a loss): an open multi-label problem graded by a metric bar.

Graded objects (names fixed by the exercise notebook):

* ``tune_thresholds(y_true, scores)`` -> array (K,): per-label thresholds ``t`` such
  that ``scores >= t`` maximises each label's F1 on the given data. ``scores`` may
  be probabilities or logits (thresholds are in the same units).
* ``fit_multilabel(x_train, y_train, x_val, y_val)`` -> ``predict``: trains any model
  the learner likes on the digit grids (:mod:`losslab.data.digit_grids`) and returns a
  function ``predict(x) -> 0/1 array (n, 10)``. Graded only by what it achieves on
  held-out test grids (handwriting never seen in training): micro-F1 and macro-F1
  must reach :data:`MICRO_F1_BAR` and :data:`MACRO_F1_BAR`.
"""

from __future__ import annotations

import weakref

import numpy as np

from losslab.exercises.checks import Check, Mistake, as_array, expect_raises

__all__ = ["CHECKS", "EXERCISE", "MACRO_F1_BAR", "MICRO_F1_BAR", "best_f1_per_label"]

EXERCISE = "09_choosing_a_loss"

MICRO_F1_BAR = 0.90
MACRO_F1_BAR = 0.78


def best_f1_per_label(y_true: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """The highest F1 any threshold ``scores >= t`` reaches, per label; float64 (K,).

    Tries every distinct score as ``t`` (exhaustive, vectorised with sorting).
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    scores = np.asarray(scores, dtype=np.float64)
    best = np.zeros(y_true.shape[1])
    for k in range(y_true.shape[1]):
        order = np.argsort(-scores[:, k], kind="stable")
        s, y = scores[order, k], y_true[order, k]
        true_pos = np.cumsum(y)
        # predicting "scores >= t" for t = s[i] selects every index up to the last tie of s[i]
        last = np.searchsorted(-s, -s, side="right") - 1
        tp, predicted = true_pos[last], last + 1.0
        f1 = 2 * tp / (predicted + y.sum())
        best[k] = f1.max() if y.sum() > 0 else 0.0
    return best


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

_trained: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _train_and_predict(fn) -> tuple:
    """Train ``fn`` once (seeded) on the digit grids.

    Returns ``(y_test, predictions, train base rates, predict, x_test)``, cached per function object.
    """
    if fn in _trained:
        return _trained[fn]
    import keras

    from losslab.data.digit_grids import load_digit_grids

    data = load_digit_grids()
    keras.utils.set_random_seed(0)
    predict = fn(data.train.x, data.train.y, data.val.x, data.val.y)
    if not callable(predict):
        raise Mistake(
            f"fit_multilabel returned a {type(predict).__name__}; return a function predict(x) that "
            "gives 0/1 labels, e.g. `return lambda x: (model.predict(x, verbose=0) >= thresholds).astype(int)`"
        )
    pred = as_array(predict(data.test.x), "predict(x_test)")
    result = (data.test.y, pred, data.train.y.mean(axis=0), predict, data.test.x)
    _trained[fn] = result
    return result


def _fit_metric_bar(fn):
    from sklearn.metrics import f1_score, precision_score, recall_score

    y_test, pred, base_rates = _train_and_predict(fn)[:3]
    if pred.shape != y_test.shape:
        raise Mistake(
            f"predict(x_test) has shape {pred.shape}; expected {y_test.shape}: one row of 10 labels per grid"
        )
    values = np.unique(pred)
    if not np.isin(values, [0, 1]).all():
        raise Mistake(
            f"predict returned values such as {values[:4].tolist()}; return 0/1 labels: "
            "compare probabilities (or logits) with your thresholds"
        )
    pred = pred.astype(np.int64)
    if pred.sum() == 0:
        raise Mistake(
            "your model predicts no label at all on the test grids. Common causes: outputs stuck at the "
            "base rate (a sigmoid applied twice, or a loss on probabilities with from_logits=True), or "
            "thresholds too high for rare labels"
        )
    if (pred.sum(axis=1) == 1).all():
        raise Mistake(
            "every test grid gets exactly one label: that is argmax (multi-class) decoding. A grid can show "
            "0 to 9 digits; decide each label with its own threshold"
        )
    micro = f1_score(y_test, pred, average="micro", zero_division=0.0)
    macro = f1_score(y_test, pred, average="macro", zero_division=0.0)
    print(
        f"held-out test grids: micro-F1 {micro:.2f} (bar {MICRO_F1_BAR}), macro-F1 {macro:.2f} (bar {MACRO_F1_BAR})"
    )
    if micro >= MICRO_F1_BAR and macro >= MACRO_F1_BAR:
        return
    precision = precision_score(y_test, pred, average="micro", zero_division=0.0)
    recall = recall_score(y_test, pred, average="micro", zero_division=0.0)
    per_label = f1_score(y_test, pred, average=None, zero_division=0.0)
    worst = np.argsort(per_label)[:3]
    lines = [
        f"micro-F1 {micro:.3f} (bar {MICRO_F1_BAR}), macro-F1 {macro:.3f} (bar {MACRO_F1_BAR}); "
        f"micro precision {precision:.3f}, recall {recall:.3f}.",
        "weakest labels: "
        + ", ".join(f"digit {k} F1 {per_label[k]:.2f} (base rate {base_rates[k]:.1%})" for k in worst)
        + ".",
    ]
    if recall < precision - 0.1:
        lines.append(
            "Recall is much lower than precision: thresholds too high for rare labels? Tune one threshold "
            "per label on the validation set (tune_thresholds); a prior bias or pos_weight helps rare labels."
        )
    elif precision < recall - 0.1:
        lines.append("Precision is much lower than recall: thresholds too low, or pos_weight too large.")
    else:
        lines.append(
            "The model itself is weak: did you use one sigmoid per label with binary cross-entropy on logits "
            "(softmax makes labels compete)? Train a little longer, or use a small CNN."
        )
    raise Mistake("\n".join(lines))


def _fit_batch_of_one(fn):
    _train_and_predict(fn)
    predict, x_test = _trained[fn][3:]
    got = as_array(predict(x_test[:1]), "predict(x_test[:1])")
    if got.shape != (1, 10):
        raise Mistake(
            f"predict on a batch of one grid gives shape {got.shape}, expected (1, 10): "
            "do not squeeze the batch axis away"
        )
    if not np.isin(np.unique(got), [0, 1]).all():
        raise Mistake("predict on a batch of one grid returned values other than 0 and 1")


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
    Check("fit_multilabel", "predict works on a batch of one grid", _fit_batch_of_one, self_check=False),
]
