"""From scores to label sets, and the scores of those label sets: decoding and metrics in one place.

A multi-label model outputs one score per label; a prediction is a *set* of
labels. The rule that turns one into the other is part of the method:

* :func:`decode_threshold` - every label whose score exceeds a fixed threshold
  (0 for logits of sigmoid+BCE and for ZLPR scores, 0.5 for probabilities);
* :func:`decode_top_k` - the k highest scores of each row;
* :func:`decode_relative_threshold` - every label within a fraction of the row's
  best probability (useful after a softmax, whose values shrink as labels share mass);
* :func:`decode_by_count` - the top round(count) labels, for a model that predicts
  how many labels a row has.

For a sigmoid model's probabilities the decision rule is a choice, made on the
validation split and judged on the test split:

* :func:`apply_thresholds` - one global threshold, or one per label;
* :func:`threshold_sweep` - every metric of :func:`multilabel_scores` as a global threshold moves;
* :func:`tune_label_thresholds` - per label, the threshold that maximises that label's F1;
* :func:`top_k_labels` - the k most probable labels of each row, whatever their probabilities.

:func:`score_label_sets` and :func:`multilabel_scores` compute the course's metrics
with scikit-learn; :func:`mean_average_precision` is the one mAP. All inputs are
NumPy-convertible ``(n, K)`` arrays (``y_true`` 0/1, ``probs`` in [0, 1]); decoded
predictions are float32 0/1 arrays of the same shape.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "DEFAULT_GRID",
    "apply_thresholds",
    "best_global_threshold",
    "decode_by_count",
    "decode_relative_threshold",
    "decode_threshold",
    "decode_top_k",
    "format_scores",
    "label_recall",
    "mean_average_precision",
    "multilabel_scores",
    "score_label_sets",
    "threshold_sweep",
    "top_k_labels",
    "tune_label_thresholds",
]


DEFAULT_GRID = np.round(np.arange(0.05, 0.951, 0.05), 2)


def _scores(scores, what: str = "scores") -> np.ndarray:
    scores = np.asarray(scores.numpy() if hasattr(scores, "numpy") else scores, dtype=np.float64)
    if scores.ndim != 2:
        raise ValueError(f"{what} must be a 2-D array (examples, labels), got shape {scores.shape}")
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"{what} contain NaN or inf: check the model's outputs before decoding")
    return scores


def _labels(y_true, shape: tuple[int, ...]) -> np.ndarray:
    """``y_true`` as float64 0/1 labels of the predictions' ``shape``, or an error saying what is wrong."""
    y = np.asarray(y_true, dtype=np.float64)
    if y.shape != shape:
        raise ValueError(f"y_true has shape {y.shape} but the predictions have {shape}: they must match")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("y_true must hold 0/1 multi-hot labels (got other values)")
    return y


def decode_threshold(scores, threshold: float = 0.0) -> np.ndarray:
    """1 where ``score > threshold``: logits use 0, probabilities 0.5 (the same rule for sigmoid)."""
    return (_scores(scores) > threshold).astype(np.float32)


def decode_top_k(scores, k: int) -> np.ndarray:
    """The ``k`` highest-scoring labels of every row (ties broken by label order)."""
    s = _scores(scores)
    if not isinstance(k, int | np.integer) or not 0 <= k <= s.shape[1]:
        raise ValueError(f"k must be an integer in 0..{s.shape[1]}, got {k!r}")
    out = np.zeros(s.shape, dtype=np.float32)
    if k:
        top = np.argsort(-s, axis=1, kind="stable")[:, :k]
        np.put_along_axis(out, top, 1.0, axis=1)
    return out


def decode_relative_threshold(probs, ratio: float = 0.5) -> np.ndarray:
    """Labels whose probability is at least ``ratio`` times the row's largest (the top label always)."""
    p = _scores(probs, "probs")
    if not 0.0 < ratio <= 1.0:
        raise ValueError(f"ratio must be in (0, 1], got {ratio}")
    if (p < 0).any():
        raise ValueError("probs must be non-negative (apply softmax first)")
    return (p >= ratio * p.max(axis=1, keepdims=True)).astype(np.float32)


def decode_by_count(scores, counts) -> np.ndarray:
    """The top ``round(count)`` labels of each row; ``counts`` is ``(n,)``, clipped to 0..K."""
    s = _scores(scores)
    counts = np.asarray(counts, dtype=np.float64).reshape(-1)
    if counts.shape != (s.shape[0],):
        raise ValueError(f"counts must have one entry per row ({s.shape[0]}), got shape {counts.shape}")
    k = np.clip(np.rint(counts), 0, s.shape[1]).astype(int)
    order = np.argsort(-s, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(s.shape[1])[None, :].repeat(s.shape[0], 0), axis=1)
    return (rank < k[:, None]).astype(np.float32)


def label_recall(y_true, y_pred, labels) -> float:
    """Recall pooled over the given label columns: found positives / all positives of those labels."""
    y_pred = _scores(y_pred, "y_pred")
    y = _labels(y_true, y_pred.shape)
    cols = list(labels)
    positives = y[:, cols].sum()
    if positives == 0:
        raise ValueError(f"labels {cols} have no positive example in y_true: recall is undefined")
    return float((y[:, cols] * (y_pred[:, cols] > 0.5)).sum() / positives)


def mean_average_precision(y: np.ndarray, scores: np.ndarray) -> float:
    """mAP: the mean over labels of scikit-learn's average precision, skipping labels with no positive.

    Args:
        y: 0/1 targets ``(n, K)``, already validated.
        scores: continuous scores ``(n, K)`` (logits or probabilities: only their order matters).
    """
    from sklearn.metrics import average_precision_score

    present = y.sum(axis=0) > 0
    return float(average_precision_score(y[:, present], scores[:, present], average="macro"))


def score_label_sets(y_true, y_pred, scores=None) -> dict[str, float]:
    """Standard multi-label metrics (scikit-learn).

    Args:
        y_true: 0/1 targets ``(n, K)``.
        y_pred: decoded 0/1 predictions ``(n, K)``.
        scores: optional continuous scores ``(n, K)`` for the ranking metric mAP.

    Returns:
        ``micro_f1``, ``macro_f1``, ``subset_accuracy`` (every label of a row right)
        and, with ``scores``, ``mAP`` (macro average precision over labels with a positive).
    """
    from sklearn.metrics import accuracy_score, f1_score

    y_pred = _scores(y_pred, "y_pred")
    y = _labels(y_true, y_pred.shape)
    result = {
        "micro_f1": float(f1_score(y, y_pred, average="micro", zero_division=0)),
        "macro_f1": float(f1_score(y, y_pred, average="macro", zero_division=0)),
        "subset_accuracy": float(accuracy_score(y, y_pred)),
    }
    if scores is not None:
        s = _scores(scores)
        if s.shape != y.shape:
            raise ValueError(f"scores have shape {s.shape}, targets {y.shape}: they must match")
        result["mAP"] = mean_average_precision(y, s)
    return result


# Thresholds for probabilities (sigmoid outputs), tuned on validation data


def _probs(probs, what: str = "probs") -> np.ndarray:
    """``_scores`` that must also be probabilities (in [0, 1])."""
    p = _scores(probs, what)
    if p.min() < 0 or p.max() > 1:
        raise ValueError(
            f"{what} must lie in [0, 1]: apply the sigmoid (use the probability model), not logits"
        )
    return p


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
