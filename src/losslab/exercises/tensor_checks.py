"""The check helpers: assertions on a learner's function, its tensors, values and gradients.

One family for every suite. Each helper takes the learner's value (or function) first,
then what it is compared with, then ``what`` - the call in words, e.g.
``"softmax(logits)"`` - and raises :class:`losslab.exercises.checks.Mistake` with a message of
one style: *what* is wrong, then *why* / what to do. Suites add the likely cause by
passing known wrong results (``known_mistakes``) or a ``hint``.

* calling: :func:`call` (the learner's errors in the learner's terms), :func:`call_loss`;
* results: :func:`expect_tensor`, :func:`expect_dtype`, :func:`expect_finite`,
  :func:`expect_reference` (values, with known mistakes named), :func:`is_close`;
* gradients: :func:`expect_gradient` (GradientTape against finite differences, in the
  dtype the learner's function returns), :func:`tape_gradient_of`;
* rules (from :mod:`losslab.exercises.code_reading`): :func:`expect_from_scratch` (no library
  version of what is being built), :func:`expect_own_code` (not the lessons' helper);
* inputs: :func:`sample_problem`.

A known mistake is ``(wrong_value, message)``, or ``(wrong_value, message, False)`` for a
mistake that another check charges: a result matching it passes here, so one mistake
costs one check (see COURSE.md, "one mistake, one deduction").

Every helper is a pure function of its arguments (no global state), so the grader can run
them on any learner's object.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from losslab.debugging.gradcheck import gradient_check
from losslab.exercises.checks import Mistake, as_array, explain_error
from losslab.exercises.code_reading import expect_from_scratch, expect_own_code, names_used

__all__ = [
    "ATOL",
    "RTOL",
    "call",
    "call_loss",
    "charged_elsewhere",
    "expect_dtype",
    "expect_finite",
    "expect_from_scratch",
    "expect_own_code",
    "expect_gradient",
    "expect_reference",
    "expect_tensor",
    "gradient_tolerance",
    "is_close",
    "matches_known",
    "names_used",
    "relative_error",
    "sample_problem",
    "tape_gradient_of",
]

RTOL = 1e-6  # the course's contract: equal to the reference to 1e-6 relative (float32)
ATOL = 1e-7  # ... or 1e-7 absolute, for values near 0 where "relative" means nothing

KnownMistake = tuple  # (wrong_value, message) or (wrong_value, message, charged_here: bool)


def call(fn: Callable, *args: Any, what: str, **kwargs: Any) -> Any:
    """Call the learner's ``fn``; NotImplementedError passes through, other errors become a Mistake.

    The Mistake says in the learner's terms what the error means (shapes that do not fit,
    mixed dtypes, ...), not TensorFlow's raw message.
    """
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Mistake:
        raise
    except Exception as exc:
        raise Mistake(explain_error(exc, what)) from exc


def expect_tensor(value: Any, what: str) -> Any:
    """``value`` must be a ``tf.Tensor`` (not NumPy, not a list, not None)."""
    import tensorflow as tf

    if value is None:
        raise Mistake(f"{what} returned None: did you forget `return`?")
    if not tf.is_tensor(value):
        raise Mistake(
            f"{what} returned a {type(value).__name__}, not a tf.Tensor: use TensorFlow ops throughout "
            "(tf.exp, tf.reduce_sum, ...), not NumPy or .numpy(), so GradientTape can follow them"
        )
    return value


def call_loss(fn: Callable, *args: Any, what: str, **kwargs: Any) -> np.ndarray:
    """Call the learner's loss; it must return a tensor. Returns its value as NumPy."""
    return as_array(expect_tensor(call(fn, *args, what=what, **kwargs), what), what)


def expect_dtype(value: Any, dtype: Any, what: str) -> None:
    """``value`` (a tensor or array) must have ``dtype`` (a NumPy or TF dtype or its name)."""
    import tensorflow as tf

    want = tf.as_dtype(dtype)
    got = tf.as_dtype(value.dtype)
    if got != want:
        raise Mistake(
            f"{what} has dtype {got.name}, expected {want.name}: compute in the dtype of the input you "
            "were given - cast the other arguments (labels, weights) to it, e.g. tf.cast(y_true, "
            "logits.dtype), instead of casting to a fixed dtype such as tf.float32"
        )


def expect_finite(value: Any, what: str, cause: str) -> np.ndarray:
    """Every entry must be finite; ``cause`` names the likely reason when one is not. Returns float64."""
    got = as_array(value, what).astype(np.float64)
    bad = ~np.isfinite(got)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f" at index {index}" if index else ""
        raise Mistake(f"{what} is {got[index]}{where}: {cause}")
    return got


def relative_error(got: Any, want: Any) -> float:
    """max |got - want| / max(|want|, ATOL / RTOL): relative where values are not tiny; float64."""
    g = np.asarray(got, dtype=np.float64)
    w = np.asarray(want, dtype=np.float64)
    if g.size == 0:
        return 0.0
    return float(np.max(np.abs(g - w) / np.maximum(np.abs(w), ATOL / RTOL)))


def is_close(got: Any, want: Any, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Same shape and every entry within ``atol + rtol * |want|`` (NaN never matches)."""
    g = np.asarray(got, dtype=np.float64)
    w = np.asarray(want, dtype=np.float64)
    return g.shape == w.shape and bool(np.all(np.abs(g - w) <= atol + rtol * np.abs(w)))


def matches_known(got: Any, known_mistakes: Sequence[KnownMistake]) -> KnownMistake | None:
    """The first known mistake whose wrong value ``got`` equals (to 1e-4 relative), or None."""
    g = np.asarray(got, dtype=np.float64)
    for known in known_mistakes:
        wrong = np.asarray(known[0], dtype=np.float64)
        if wrong.shape == g.shape and bool(np.all(np.isclose(g, wrong, 1e-4, 1e-5, equal_nan=True))):
            return known
    return None


def charged_elsewhere(known_mistakes: Sequence[KnownMistake]) -> list[KnownMistake]:
    """The same known mistakes, marked as charged by another check (a match passes here)."""
    return [(known[0], known[1], False) for known in known_mistakes]


def expect_reference(
    got: Any,
    want: Any,
    what: str,
    known_mistakes: Sequence[KnownMistake] = (),
    rtol: float = RTOL,
    atol: float = ATOL,
) -> None:
    """Shape, then values within ``atol + rtol * |want|``; a known mistake is named.

    A result equal to a known mistake marked as charged elsewhere passes.
    """
    g = as_array(got, what).astype(np.float64)
    w = np.asarray(want, dtype=np.float64)
    if g.shape == w.shape and is_close(g, w, rtol, atol):
        return
    known = matches_known(g, known_mistakes)
    if known is not None:
        if len(known) > 2 and not known[2]:
            return  # a mistake another check charges: not charged twice
        raise Mistake(f"{what} is off: {known[1]}")
    if g.shape != w.shape:
        if g.ndim < w.ndim or 0 < g.size < w.size:
            raise Mistake(
                f"{what} has shape {g.shape}, expected {w.shape}: you reduced (mean or sum) over an axis "
                "you should keep"
            )
        raise Mistake(f"{what} has shape {g.shape}, expected {w.shape}")
    nan = np.isnan(g) & ~np.isnan(w)
    if nan.any():
        index = tuple(int(i) for i in np.argwhere(nan)[0])
        raise Mistake(f"{what} is NaN at index {index}, expected {w[index]:.7g}")
    err = np.abs(g - w) - rtol * np.abs(w)
    err = np.where(np.isnan(err), np.inf, err)
    index = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
    where = f" at index {tuple(int(i) for i in index)}" if index else ""
    raise Mistake(f"{what} differs from the reference{where}: got {g[index]:.7g}, expected {w[index]:.7g}")


def tape_gradient_of(f: Callable, x: Any, what: str) -> np.ndarray:
    """The GradientTape gradient of ``sum(f(x))`` at ``x`` (dtype of ``x``); a Mistake if there is none."""
    import tensorflow as tf

    xv = tf.Variable(x)
    with tf.GradientTape() as tape:
        out = call(f, xv, what=what)
        if not tf.is_tensor(out):
            raise Mistake(f"{what} did not return a tensor, so there is no gradient")
        total = tf.reduce_sum(out)
    grad = tape.gradient(total, xv)
    if grad is None:
        raise Mistake(
            f"GradientTape finds no gradient through {what}: the function leaves TensorFlow "
            "(NumPy, .numpy(), Python floats) or does not use its input"
        )
    return np.asarray(grad)


def gradient_tolerance(dtype: Any) -> dict[str, float]:
    """Finite-difference step and tolerances fit for a function computing in ``dtype``.

    float64: step 1e-6, errors up to 1e-6 absolute or 1e-5 relative. float32 (a learner
    who casts to float32 inside): step 1e-3, 5e-3 absolute or 1e-2 relative - rounding
    noise of float32 divided by the step, still far below what a wrong formula gives.
    """
    name = np.dtype(getattr(dtype, "as_numpy_dtype", dtype)).name
    if name == "float64":
        return {"eps": 1e-6, "atol": 1e-6, "rtol": 1e-5}
    if name == "float32":
        return {"eps": 1e-3, "atol": 5e-3, "rtol": 1e-2}
    return {"eps": 3e-2, "atol": 5e-2, "rtol": 1e-1}  # float16 / bfloat16


def expect_gradient(f: Callable, x: Any, what: str, hint: str = "") -> float:
    """``f``'s GradientTape gradient at ``x`` must match central differences of ``f``.

    ``f`` maps a float64 tensor shaped like ``x`` to a tensor. The check runs in the
    dtype ``f`` returns, with a step and tolerance fit for it (:func:`gradient_tolerance`),
    so a function that computes in float32 is not failed for float32 rounding: its dtype
    is charged by a dtype check, once. Use moderate ``x`` (stability is charged by the
    checks at extreme inputs). Returns the max absolute error seen (for reports).
    """
    import tensorflow as tf

    x = np.asarray(x, dtype=np.float64)
    input_dtype = "float64"
    try:
        probe = call(f, tf.constant(x), what=what)
    except Mistake as exc:
        if "mixes dtypes" not in str(exc):
            raise
        # float64 input mixed with float32 inside (a cast charged by the dtype check): check in float32
        input_dtype = "float32"
        probe = call(f, tf.constant(x, tf.float32), what=what)
    if probe is None or not tf.is_tensor(probe):
        expect_tensor(probe, what)
    dtype = probe.dtype if probe.dtype.is_floating else tf.float64
    tolerance = gradient_tolerance(dtype)
    try:
        result = gradient_check(f, x, input_dtype=input_dtype, **tolerance)
    except NotImplementedError:
        raise
    except Mistake:
        raise
    except ValueError as exc:  # no gradient path, wrong shape
        raise Mistake(f"the gradient of {what}: {exc}") from exc
    except Exception as exc:
        raise Mistake(explain_error(exc, what)) from exc
    if not result.ok:
        in_dtype = (
            "" if dtype == tf.float64 else f" (checked in {dtype.name}, the dtype your function returns)"
        )
        bad = ~np.isfinite(result.analytic)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            raise Mistake(
                f"the gradient of {what} is {result.analytic[index]} at index {index}{in_dtype}. {hint}".strip()
            )
        diff = np.abs(result.analytic - result.numeric)
        index = np.unravel_index(int(np.nanargmax(diff)), diff.shape)
        raise Mistake(
            f"the gradient of {what} does not match finite differences{in_dtype}: at index "
            f"{tuple(int(i) for i in index)} GradientTape gives {result.analytic[index]:.6g}, "
            f"finite differences {result.numeric[index]:.6g}. {hint}".strip()
        )
    return result.max_abs_error


def sample_problem(
    shape: tuple[int, int] = (4, 5), seed: int = 0, scale: float = 3.0, dtype: Any = np.float32
) -> tuple[np.ndarray, np.ndarray]:
    """Random 0/1 targets (each row with at least one positive) and logits, both ``shape``."""
    rng = np.random.default_rng(seed)
    y = (rng.random(shape) < 0.4).astype(dtype)
    y[np.arange(shape[0]), rng.integers(0, shape[1], shape[0])] = 1
    x = (rng.normal(size=shape) * scale).astype(dtype)
    return y, x
