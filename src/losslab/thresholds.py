"""Turning multi-label probabilities into label sets, and scoring the result.

A sigmoid model gives one probability per label; a prediction is a *set*.
The decision rule is a choice, and it should be made on the validation
split and judged on the test split:

* :func:`apply_thresholds` - one global threshold, or one per label;
* :func:`threshold_sweep` - every metric of :func:`multilabel_scores` as a global threshold moves;
* :func:`tune_label_thresholds` - per label, the threshold that maximises that label's F1;
* :func:`top_k_labels` - the k most probable labels of each row, whatever their probabilities.

:func:`multilabel_scores` computes the course's metrics with scikit-learn.
Inputs: ``y_true`` 0/1 ``(n, K)``, ``probs`` in [0, 1] ``(n, K)``; decoded
predictions are float32 0/1 ``(n, K)``.
"""

from __future__ import annotations

import numpy as np

from losslab.label_decoding import decode_top_k, mean_average_precision

__all__ = [
    "DEFAULT_GRID",
    "apply_thresholds",
    "best_global_threshold",
    "format_scores",
    "multilabel_scores",
    "threshold_sweep",
    "top_k_labels",
    "tune_label_thresholds",
]

DEFAULT_GRID = np.round(np.arange(0.05, 0.951, 0.05), 2)


def _probs(probs, what: str = "probs") -> np.ndarray:
    p = np.asarray(probs.numpy() if hasattr(probs, "numpy") else probs, dtype=np.float64)
    if p.ndim != 2:
        raise ValueError(f"{what} must be 2-D (examples, labels), got shape {p.shape}")
    if not np.all(np.isfinite(p)):
        raise ValueError(f"{what} contain NaN or inf: check the model's outputs first")
    if p.min() < 0 or p.max() > 1:
        raise ValueError(
            f"{what} must lie in [0, 1]: apply the sigmoid (use the probability model), not logits"
        )
    return p


def _labels(y_true, shape: tuple[int, ...]) -> np.ndarray:
    y = np.asarray(y_true, dtype=np.float64)
    if y.shape != shape:
        raise ValueError(f"y_true has shape {y.shape} but the predictions have {shape}: they must match")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("y_true must hold 0/1 multi-hot labels")
    return y


def apply_thresholds(probs, thresholds=0.5) -> np.ndarray:
    """1 where ``probs >= threshold``: a scalar for all labels or a ``(K,)`` array, one per label."""
    p = _probs(probs)
    t = np.asarray(thresholds, dtype=np.float64)
    if t.ndim == 1 and t.shape != (p.shape[1],):
        raise ValueError(f"give one threshold per label ({p.shape[1]}), got {t.shape[0]}")
    if t.ndim > 1:
        raise ValueError(f"thresholds must be a number or a 1-D array, got shape {t.shape}")
    return (p >= t).astype(np.float32)


def top_k_labels(probs, k: int) -> np.ndarray:
    """The ``k`` highest-probability labels of every row (ties go to the lower label index)."""
    return decode_top_k(_probs(probs), k)  # same rule for any scores; here they must be probabilities


def multilabel_scores(y_true, y_pred, probs=None) -> dict[str, float]:
    """Multi-label metrics from scikit-learn.

    Args:
        y_true: 0/1 targets ``(n, K)``.
        y_pred: decoded 0/1 predictions ``(n, K)``.
        probs: optional probabilities ``(n, K)``; adds ``mAP`` (mean over labels of average precision).

    Returns:
        ``subset_accuracy`` (whole rows right), ``hamming_loss`` (fraction of wrong label
        decisions), ``micro_f1`` (pooled over all decisions), ``macro_f1`` (mean of per-label F1)
        and, with ``probs``, ``mAP``.
    """
    from sklearn.metrics import accuracy_score, f1_score, hamming_loss

    pred = np.asarray(y_pred, dtype=np.float64)
    if pred.ndim != 2 or not np.isin(pred, (0.0, 1.0)).all():
        raise ValueError("y_pred must be 2-D 0/1 decisions: threshold the probabilities first")
    y = _labels(y_true, pred.shape)
    scores = {
        "subset_accuracy": float(accuracy_score(y, pred)),
        "hamming_loss": float(hamming_loss(y, pred)),
        "micro_f1": float(f1_score(y, pred, average="micro", zero_division=0)),
        "macro_f1": float(f1_score(y, pred, average="macro", zero_division=0)),
    }
    if probs is not None:
        p = _probs(probs)
        _labels(y_true, p.shape)
        scores["mAP"] = mean_average_precision(y, p)
    return scores


def threshold_sweep(y_true, probs, thresholds=DEFAULT_GRID) -> dict[str, np.ndarray]:
    """Every metric of :func:`multilabel_scores` (without mAP) at each global threshold.

    Returns ``{"threshold": (T,), "micro_f1": (T,), ...}`` float64 arrays.
    """
    p = _probs(probs)
    y = _labels(y_true, p.shape)
    grid = np.asarray(thresholds, dtype=np.float64).reshape(-1)
    rows = [multilabel_scores(y, apply_thresholds(p, t)) for t in grid]
    out = {"threshold": grid}
    for key in rows[0]:
        out[key] = np.array([r[key] for r in rows])
    return out


def best_global_threshold(y_true, probs, metric: str = "micro_f1", thresholds=DEFAULT_GRID) -> float:
    """The threshold of ``thresholds`` with the best ``metric`` (the lowest for ``hamming_loss``).

    Use validation data: see :func:`tune_label_thresholds`.
    """
    sweep = threshold_sweep(y_true, probs, thresholds)
    if metric not in sweep or metric == "threshold":
        raise ValueError(
            f"metric must be one of {sorted(k for k in sweep if k != 'threshold')}, got {metric!r}"
        )
    pick = np.argmin if metric == "hamming_loss" else np.argmax
    return float(sweep["threshold"][pick(sweep[metric])])


def format_scores(name: str, scores: dict[str, float], width: int = 34) -> str:
    """One table row: ``name`` padded to ``width``, then each score with 4 decimals."""
    return f"{name:<{width}}" + "  ".join(f"{key} {value:.4f}" for key, value in scores.items())


def tune_label_thresholds(y_true, probs, grid=DEFAULT_GRID) -> np.ndarray:
    """Per label, the grid threshold that maximises that label's F1 on (validation) data.

    Returns float64 ``(K,)``. Ties go to the threshold closest to 0.5. Tune on the
    validation split and report on the test split: thresholds tuned on the test
    split make the test score a training score.
    """
    from sklearn.metrics import f1_score

    p = _probs(probs)
    y = _labels(y_true, p.shape)
    grid = np.asarray(grid, dtype=np.float64).reshape(-1)
    if grid.size == 0 or grid.min() <= 0 or grid.max() >= 1:
        raise ValueError("grid must hold thresholds strictly between 0 and 1")
    order = np.argsort(np.abs(grid - 0.5), kind="stable")  # prefer thresholds near 0.5 on ties
    best = np.empty(p.shape[1])
    for k in range(p.shape[1]):
        f1 = np.array([f1_score(y[:, k], p[:, k] >= t, zero_division=0) for t in grid[order]])
        best[k] = grid[order][int(np.argmax(f1))]
    return best
