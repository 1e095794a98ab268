"""Softmax next to element-wise sigmoid for one logit vector, in NumPy (for tables, figures and widgets)."""

from __future__ import annotations

import numpy as np

__all__ = ["softmax_sigmoid_table"]


def softmax_sigmoid_table(logits) -> dict[str, np.ndarray]:
    """Softmax and element-wise sigmoid of a logit vector.

    Args:
        logits: array-like, shape (K,), finite floats.

    Returns:
        ``{"softmax": (K,) float64, "sigmoid": (K,) float64}``; softmax sums to 1,
        each sigmoid entry depends on its own logit only.
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 1 or z.size < 2:
        raise ValueError(f"logits must be a 1-D vector of at least 2 numbers, got shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError("logits must be finite numbers (no NaN or inf)")
    e = np.exp(z - z.max())  # stable softmax: subtracting the max changes nothing but overflow
    # 1/(1+e^-z) written with tanh, which never overflows for large |z|
    return {"softmax": e / e.sum(), "sigmoid": 0.5 * (1.0 + np.tanh(0.5 * z))}
