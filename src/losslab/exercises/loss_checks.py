"""Building blocks for check suites of hand-written losses (used by the 06-08 suites).

Each helper calls the learner's function, compares with a reference and, on a
mismatch, tries a list of known wrong variants so the feedback can name the
likely mistake instead of just saying "wrong"::

    expect_loss(got, want, "weighted BCE", known_mistakes=[
        (pos_weight_on_negatives, "pos_weight multiplies the positive term only"),
    ])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from losslab.debugging.gradcheck import gradient_check
from losslab.exercises.checks import Mistake, as_array, expect_close

__all__ = [
    "call_loss",
    "expect_dtype",
    "expect_finite",
    "expect_gradient",
    "expect_loss",
    "sample_problem",
]


def sample_problem(
    shape: tuple[int, int] = (4, 5), seed: int = 0, scale: float = 3.0, dtype=np.float32
) -> tuple[np.ndarray, np.ndarray]:
    """Random 0/1 targets (each row with at least one positive) and logits, both ``shape``."""
    rng = np.random.default_rng(seed)
    y = (rng.random(shape) < 0.4).astype(dtype)
    y[np.arange(shape[0]), rng.integers(0, shape[1], shape[0])] = 1
    x = (rng.normal(size=shape) * scale).astype(dtype)
    return y, x


def call_loss(fn: Callable, *args, what: str, **kwargs) -> np.ndarray:
    """Call the learner's loss and return its value as NumPy, or explain what went wrong."""
    out = fn(*args, **kwargs)
    if isinstance(out, np.ndarray | float | int | list):
        raise Mistake(
            f"{what} returned a {type(out).__name__}, not a tf.Tensor: use TensorFlow ops "
            "(tf.math / tf.nn / keras.ops) so GradientTape can differentiate your loss"
        )
    return as_array(out, what)


def expect_loss(
    got: np.ndarray,
    want: np.ndarray,
    what: str,
    known_mistakes: Sequence[tuple[np.ndarray, str]] = (),
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> None:
    """Pass if ``got`` matches ``want``; otherwise name the first known mistake ``got`` matches."""
    want = np.asarray(want)
    if got.shape != want.shape:
        if got.ndim < want.ndim or (got.size < want.size and got.size > 0):
            raise Mistake(
                f"{what} has shape {got.shape}, expected {want.shape}: you reduced (mean/sum) over an axis "
                "you should keep"
            )
        raise Mistake(f"{what} has shape {got.shape}, expected {want.shape}")
    if np.allclose(got, want, rtol=rtol, atol=atol):
        return
    for wrong, message in known_mistakes:
        wrong = np.asarray(wrong)
        if wrong.shape == got.shape and np.allclose(got, wrong, rtol=1e-4, atol=1e-5):
            raise Mistake(f"{what} is off: {message}")
    expect_close(got, want, what, rtol=rtol, atol=atol)


def expect_dtype(got: np.ndarray, dtype, what: str) -> None:
    """The result must keep the inputs' float dtype (e.g. float64 logits give a float64 loss)."""
    if got.dtype != np.dtype(dtype):
        raise Mistake(
            f"{what} returned {got.dtype} for {np.dtype(dtype)} inputs: keep the logits' dtype "
            "(cast the labels to logits.dtype instead of casting everything to tf.float32)"
        )


def expect_finite(got: np.ndarray, what: str, hint: str) -> None:
    """Fail with ``hint`` when ``got`` holds NaN or inf."""
    bad = ~np.isfinite(got)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise Mistake(f"{what} is {got[where]} at index {where}: {hint}")


def expect_gradient(fn: Callable[[object], object], x: np.ndarray, what: str, hint: str = "") -> None:
    """GradientTape gradient of ``fn`` at ``x`` (float64) must match central differences."""
    try:
        result = gradient_check(fn, np.asarray(x, dtype=np.float64))
    except ValueError as exc:
        raise Mistake(f"{what}: {exc}") from exc
    if not np.all(np.isfinite(result.analytic)):
        raise Mistake(f"{what}: the gradient contains NaN or inf. {hint}".strip())
    if not result.ok:
        i = np.unravel_index(np.argmax(np.abs(result.analytic - result.numeric)), result.analytic.shape)
        raise Mistake(
            f"{what}: GradientTape gives {result.analytic[i]:.6g} at index {tuple(int(k) for k in i)} but "
            f"finite differences give {result.numeric[i]:.6g}. {hint}".strip()
        )
