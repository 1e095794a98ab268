"""From scores to label sets, and the scores of those label sets.

A multi-label model outputs one score per label; a prediction is a *set* of
labels. The rule that turns one into the other is part of the method:

* :func:`decode_threshold` - every label whose score exceeds a fixed threshold
  (0 for logits of sigmoid+BCE and for ZLPR scores, 0.5 for probabilities);
* :func:`decode_top_k` - the k highest scores of each row;
* :func:`decode_relative_threshold` - every label within a fraction of the row's
  best probability (useful after a softmax, whose values shrink as labels share mass);
* :func:`decode_by_count` - the top round(count) labels, for a model that predicts
  how many labels a row has.

:func:`score_label_sets` computes the course's standard metrics with scikit-learn.
All inputs are NumPy-convertible ``(n, K)`` arrays; decoded predictions are
float32 0/1 arrays of the same shape.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "mean_average_precision",
    "decode_by_count",
    "decode_relative_threshold",
    "decode_threshold",
    "decode_top_k",
    "label_recall",
    "score_label_sets",
]


def _scores(scores, what: str = "scores") -> np.ndarray:
    scores = np.asarray(scores.numpy() if hasattr(scores, "numpy") else scores, dtype=np.float64)
    if scores.ndim != 2:
        raise ValueError(f"{what} must be a 2-D array (examples, labels), got shape {scores.shape}")
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"{what} contain NaN or inf: check the model's outputs before decoding")
    return scores


def _labels(y, shape: tuple[int, ...]) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    if y.shape != shape:
        raise ValueError(f"targets have shape {y.shape}, scores have {shape}: they must match")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("targets must be 0/1 multi-hot labels (got other values)")
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
