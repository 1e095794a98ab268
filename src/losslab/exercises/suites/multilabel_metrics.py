"""Checks for exercise 04: multi-label metrics by hand, per-label thresholds, top-k decoding.

Graded functions (names fixed by the exercise notebook); ``y_true``/``y_pred`` are 0/1
array-likes ``(n, K)``, ``probs`` floats in [0, 1] ``(n, K)``:

* ``subset_accuracy(y_true, y_pred)`` -> float: fraction of rows with every label right;
* ``hamming_loss(y_true, y_pred)`` -> float: fraction of wrong label decisions;
* ``micro_f1(y_true, y_pred)`` -> float: F1 of TP/FP/FN pooled over all labels (0.0 if there
  are no positives at all);
* ``per_label_thresholds(y_true, probs, grid)`` -> float array ``(K,)``: for each label, a
  threshold of ``grid`` that maximises that label's F1 (decision ``probs >= t``);
* ``top_k_decode(probs, k)`` -> 0/1 array ``(n, K)`` with the k most probable labels of each row.
"""

from __future__ import annotations

import numpy as np

from losslab.exercises.checks import Check, Mistake, as_array, expect_equal_arrays
from losslab.exercises.from_scratch import OWN_CODE, own_code_test

__all__ = ["CHECKS", "EXERCISE"]

EXERCISE = "04_training_multilabel"


def _case(seed: int = 0, n: int = 40, k: int = 5, rate: float = 0.3):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, k)) < rate).astype(np.float32)
    flips = rng.random((n, k)) < 0.15
    pred = np.where(flips, 1 - y, y).astype(np.float32)
    return y, pred


def _number(value, what: str) -> float:
    arr = as_array(value, what)
    if arr.size != 1:
        raise Mistake(
            f"{what} should be one number, got an array of shape {arr.shape}: reduce over everything"
        )
    return float(arr.reshape(-1)[0])


def _close(got: float, want: float, what: str, hints: dict[str, float]) -> None:
    if abs(got - want) <= 1e-6:
        return
    for mistake, value in hints.items():
        if abs(got - value) <= 1e-6:
            raise Mistake(f"{what} = {got:.4f}, expected {want:.4f}: {mistake}")
    raise Mistake(f"{what} = {got:.4f}, expected {want:.4f} (scikit-learn's value)")


# --- subset accuracy ------------------------------------------------------------


def _subset_basic(fn):
    from sklearn.metrics import accuracy_score

    y, pred = _case()
    got = _number(fn(y, pred), "subset_accuracy(y, pred)")
    _close(
        got,
        accuracy_score(y, pred),
        "subset_accuracy",
        {
            "you averaged over every label decision: that is BinaryAccuracy (1 - Hamming loss); "
            "subset accuracy counts a row only when all its labels are right": float((y == pred).mean()),
            "you counted the rows that are right but did not divide by the number of rows": float(
                (y == pred).all(axis=1).sum()
            ),
        },
    )


def _subset_edges(fn):
    y = np.array([[0, 0, 0], [1, 0, 1]], dtype=np.float32)
    if _number(fn(y, y), "subset_accuracy(y, y)") != 1.0:
        raise Mistake("identical predictions must give 1.0 (an all-zero row predicted all-zero is right)")
    if _number(fn(y, 1 - y), "subset_accuracy(y, 1 - y)") != 0.0:
        raise Mistake("predictions wrong on every label must give 0.0")
    if _number(fn([[1, 0]], [[1, 0]]), "subset_accuracy on lists") != 1.0:
        raise Mistake("accept plain Python lists too (np.asarray them first)")


# --- Hamming loss ------------------------------------------------------------------


def _hamming_basic(fn):
    from sklearn.metrics import hamming_loss

    y, pred = _case(1)
    got = _number(fn(y, pred), "hamming_loss(y, pred)")
    wrong = float((y != pred).sum())
    _close(
        got,
        hamming_loss(y, pred),
        "hamming_loss",
        {
            "you computed the fraction of *right* decisions; Hamming loss counts the wrong ones": float(
                (y == pred).mean()
            ),
            "you counted the wrong decisions but did not divide by n * K": wrong,
            "you divided by the number of rows only; divide by n * K (every label decision)": wrong / len(y),
        },
    )


def _hamming_edges(fn):
    y = np.array([[0, 1, 0, 0]], dtype=np.float32)
    if _number(fn(y, y), "hamming_loss(y, y)") != 0.0:
        raise Mistake("identical predictions must give 0.0")
    if abs(_number(fn(y, np.zeros_like(y)), "hamming_loss") - 0.25) > 1e-9:
        raise Mistake("one wrong decision out of 4 must give 0.25 (a batch of one row)")


# --- micro F1 ------------------------------------------------------------------------


def _micro_basic(fn):
    from sklearn.metrics import f1_score

    y, pred = _case(2, k=6, rate=0.2)
    got = _number(fn(y, pred), "micro_f1(y, pred)")
    _close(
        got,
        f1_score(y, pred, average="micro"),
        "micro_f1",
        {
            "you averaged the per-label F1 scores: that is macro-F1; micro pools TP, FP and FN over "
            "all labels first": float(f1_score(y, pred, average="macro")),
            "you averaged per-row F1 scores ('samples' average); micro pools TP, FP and FN over "
            "everything": float(f1_score(y, pred, average="samples", zero_division=0)),
            "that is the accuracy of the decisions, not F1 (the easy true negatives must not count)": float(
                (y == pred).mean()
            ),
        },
    )


def _micro_edges(fn):
    y = np.zeros((3, 4), dtype=np.float32)
    got = _number(fn(y, y), "micro_f1 with no positives at all")
    if np.isnan(got):
        raise Mistake(
            "with no positives at all you divide 0 by 0: return 0.0 in that case (like scikit-learn)"
        )
    if got != 0.0:
        raise Mistake(f"with no positives at all micro-F1 is defined as 0.0 here, got {got}")
    perfect = np.eye(3, dtype=np.float32)
    if abs(_number(fn(perfect, perfect), "micro_f1(y, y)") - 1.0) > 1e-9:
        raise Mistake("perfect predictions must give 1.0")


# --- per-label thresholds ------------------------------------------------------------------


def _threshold_case():
    rng = np.random.default_rng(5)
    n, k = 300, 4
    y = (rng.random((n, k)) < [0.5, 0.2, 0.1, 0.4]).astype(np.float32)
    # label j is separable around a different point: positives above `centres[j]`
    centres = np.array([0.5, 0.25, 0.15, 0.7])
    probs = np.where(y == 1, centres + rng.uniform(0, 0.25, (n, k)), centres - rng.uniform(0, 0.2, (n, k)))
    probs = np.clip(probs + rng.normal(0, 0.05, (n, k)), 0, 1)
    return y, probs


def _label_f1(y, decisions) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, decisions, zero_division=0))


def _thresholds_best(fn):
    y, probs = _threshold_case()
    grid = np.round(np.arange(0.05, 0.951, 0.05), 2)
    got = as_array(fn(y, probs, grid), "per_label_thresholds(y, probs, grid)").astype(np.float64)
    if got.shape != (y.shape[1],):
        raise Mistake(f"return one threshold per label, shape ({y.shape[1]},); got shape {got.shape}")
    if not np.all(np.isin(np.round(got, 6), np.round(grid, 6))):
        raise Mistake("every threshold should be one of the values in `grid`")
    best = np.array([max(_label_f1(y[:, j], probs[:, j] >= t) for t in grid) for j in range(y.shape[1])])
    reached = np.array([_label_f1(y[:, j], probs[:, j] >= got[j]) for j in range(y.shape[1])])
    if np.allclose(got, got[0]) and not np.allclose(reached, best):
        raise Mistake("all your thresholds are equal: tune each label (column) separately")
    bad = np.flatnonzero(reached < best - 1e-9)
    if bad.size:
        j = int(bad[0])
        raise Mistake(
            f"label {j}: your threshold {got[j]:.2f} gives F1 {reached[j]:.4f}, but a threshold of the grid "
            f"reaches {best[j]:.4f}. Maximise each label's own F1 (decisions probs[:, j] >= t), "
            f"not the accuracy or a global score"
        )


def _thresholds_not_test(fn):
    y, probs = _threshold_case()
    grid = np.array([0.3, 0.5, 0.7])
    got = as_array(fn(y[:100], probs[:100], grid), "per_label_thresholds on part of the data")
    if got.shape != (4,):
        raise Mistake("the result must not depend on the number of rows: one threshold per label")


# --- top-k ----------------------------------------------------------------------------------


def _top_k_basic(fn):
    probs = np.array([[0.1, 0.7, 0.3, 0.9], [0.8, 0.2, 0.6, 0.1]])
    got = as_array(fn(probs, 2), "top_k_decode(probs, 2)")
    if got.shape != probs.shape:
        raise Mistake(f"return a 0/1 array shaped like probs {probs.shape}, got {got.shape}")
    if np.array_equal(got, [[1, 0, 1, 0], [0, 1, 0, 1]]):
        raise Mistake("you picked the k *smallest* probabilities: sort in descending order")
    expect_equal_arrays(
        got.astype(np.float32), np.array([[0, 1, 0, 1], [1, 0, 1, 0]], np.float32), "top_k_decode(probs, 2)"
    )


def _top_k_edges(fn):
    probs = np.random.default_rng(3).random((6, 5))
    for k in (0, 1, 5):
        got = as_array(fn(probs, k), f"top_k_decode(probs, {k})")
        if not np.array_equal(got.sum(axis=1), np.full(6, k)):
            raise Mistake(f"with k={k} every row must hold exactly {k} ones")


CHECKS = [
    Check("subset_accuracy", "matches scikit-learn's accuracy_score", _subset_basic),
    Check("subset_accuracy", "all-right, all-wrong and list inputs", _subset_edges, self_check=False),
    Check("hamming_loss", "matches scikit-learn's hamming_loss", _hamming_basic),
    Check("hamming_loss", "edge cases", _hamming_edges, self_check=False),
    Check("micro_f1", "matches scikit-learn's f1_score(average='micro')", _micro_basic),
    Check("micro_f1", "no positives at all gives 0.0", _micro_edges),
    Check("per_label_thresholds", "each label gets a threshold with its best F1", _thresholds_best, points=2),
    Check("per_label_thresholds", "works on any number of rows", _thresholds_not_test, self_check=False),
    Check("per_label_thresholds", OWN_CODE, own_code_test(
        "per_label_thresholds", lambda fn: fn([[1, 0], [0, 1]], [[0.9, 0.2], [0.3, 0.6]], [0.25, 0.5, 0.75]),
        {"tune_label_thresholds", "best_global_threshold", "threshold_sweep"})),
    Check("top_k_decode", "the k most probable labels of each row", _top_k_basic),
    Check("top_k_decode", "k = 0, 1 and K", _top_k_edges),
    Check("top_k_decode", OWN_CODE, own_code_test(
        "top_k_decode", lambda fn: fn([[0.2, 0.9, 0.5]], 1), {"top_k_labels", "decode_top_k"})),
]  # fmt: skip
