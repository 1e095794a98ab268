"""Gradient checking: automatic gradients (GradientTape) against finite differences, in float64.

In the spirit of CS231n's ``gradient_check.py``: a loss you wrote by hand is
only trusted once its gradient matches a numerical one. Everything runs in
float64 so the finite differences are accurate to about 1e-9; a float32
check would drown real bugs in rounding noise.

Example::

    result = gradient_check(lambda z: my_bce(y, z), logits)
    print(result)            # max abs / rel error and a verdict
    assert result.ok
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["GradientCheck", "gradient_check", "numerical_gradient", "tape_gradient"]


def _projection(shape: tuple[int, ...], seed: int | None) -> np.ndarray:
    """Fixed random weights that turn a vector-valued loss into a scalar (all ones if ``seed`` is None).

    Summing a per-example loss with equal weights can hide a bug that moves
    gradient between examples; random positive weights do not.
    """
    if seed is None:
        return np.ones(shape)
    return np.random.default_rng(seed).uniform(0.5, 1.5, size=shape)


def _scalar(f: Callable, x, weights_seed: int | None):
    import tensorflow as tf

    out = tf.cast(f(x), tf.float64)
    w = tf.constant(_projection(tuple(out.shape), weights_seed), dtype=tf.float64)
    return tf.reduce_sum(out * w)


def tape_gradient(
    f: Callable, x: np.ndarray, weights_seed: int | None = 0, input_dtype: str = "float64"
) -> np.ndarray:
    """d/dx of ``sum(w * f(x))`` by GradientTape; x is float64 of any shape; returns the same shape.

    ``w`` are fixed random weights in [0.5, 1.5] drawn with ``weights_seed`` (all ones if None).
    """
    import tensorflow as tf

    xt = tf.Variable(np.asarray(x, dtype=np.float64).astype(input_dtype))
    with tf.GradientTape() as tape:
        value = _scalar(f, xt, weights_seed)
    grad = tape.gradient(value, xt)
    if grad is None:
        raise ValueError(
            "GradientTape found no path from x to the loss: the function leaves TensorFlow "
            "(e.g. calls .numpy() or np.*) or ignores its input"
        )
    return np.asarray(grad, dtype=np.float64)


def numerical_gradient(
    f: Callable,
    x: np.ndarray,
    eps: float = 1e-6,
    weights_seed: int | None = 0,
    input_dtype: str = "float64",
) -> np.ndarray:
    """Central differences of ``sum(w * f(x))``, one coordinate at a time (O(x.size) calls).

    ``w`` as in :func:`tape_gradient`; ``weights_seed=None`` gives the gradient of ``sum(f(x))``.
    """
    import tensorflow as tf

    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = float(_scalar(f, tf.constant(x, dtype=input_dtype), weights_seed))
        flat[i] = old - eps
        minus = float(_scalar(f, tf.constant(x, dtype=input_dtype), weights_seed))
        flat[i] = old
        gflat[i] = (plus - minus) / (2 * eps)
    return grad


@dataclass(frozen=True)
class GradientCheck:
    """Result of :func:`gradient_check`.

    Attributes:
        analytic: the GradientTape gradient, float64, shape of x.
        numeric: the finite-difference gradient, float64, shape of x.
        max_abs_error: max |analytic - numeric|.
        max_rel_error: max |a - n| / max(|a| + |n|, 1e-8) over coordinates.
        ok: both errors below the tolerance used.
    """

    analytic: np.ndarray
    numeric: np.ndarray
    max_abs_error: float
    max_rel_error: float
    ok: bool

    def __str__(self) -> str:
        verdict = "gradient OK" if self.ok else "gradient MISMATCH"
        return f"{verdict}: max abs error {self.max_abs_error:.2e}, max rel error {self.max_rel_error:.2e}"


def gradient_check(
    f: Callable,
    x,
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    weights_seed: int | None = 0,
    input_dtype: str = "float64",
) -> GradientCheck:
    """Compare ``f``'s GradientTape gradient at ``x`` with central differences (both float64).

    ``f`` takes a float64 tensor shaped like ``x`` and returns a tensor of any shape
    (a per-example or element-wise loss is fine). Passes when every coordinate
    agrees within ``atol`` absolutely or ``rtol`` relatively. Keep ``x`` away from
    kinks (e.g. |x| > 10*eps where f uses max or abs).
    """
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        raise ValueError("x is empty: give at least one coordinate to check")
    if not np.all(np.isfinite(x)):
        raise ValueError("x contains NaN or inf: gradients are only checked at finite points")
    analytic = tape_gradient(f, x, weights_seed, input_dtype)
    numeric = numerical_gradient(f, x, eps, weights_seed, input_dtype)
    if analytic.shape != x.shape:
        raise ValueError(f"gradient has shape {analytic.shape}, x has {x.shape}")
    diff = np.abs(analytic - numeric)
    rel = diff / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)
    ok = bool(np.all((diff <= atol) | (rel <= rtol)))
    return GradientCheck(analytic, numeric, float(diff.max()), float(rel.max()), ok)
