"""Assertions for checking a learner's TensorFlow function: tensors, dtypes, values, gradients.

The loss exercises (softmax, cross-entropies, ...) are graded on the same
properties: the result is a ``tf.Tensor`` of the right shape and dtype, equal
to the TensorFlow / Keras reference to 1e-6 relative, finite for every finite
input, and with a gradient that matches finite differences in float64. Each
helper raises :class:`losslab.exercises.checks.Mistake` with a message that says what is
wrong; suites add the *likely cause* by testing for known mistakes first.

Every helper is a pure function of its arguments (no global state), so the
grader can run them on any learner's object.
"""

from __future__ import annotations

import dis
import types
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from losslab.debugging.gradcheck import gradient_check
from losslab.exercises.checks import Mistake, as_array

__all__ = [
    "RTOL",
    "ATOL",
    "call",
    "expect_dtype",
    "expect_finite",
    "expect_from_scratch",
    "expect_gradient",
    "expect_reference",
    "expect_tensor",
    "is_close",
    "names_used",
    "relative_error",
    "tape_gradient_of",
]

RTOL = 1e-6  # the course's contract: equal to the reference to 1e-6 relative (float32)
ATOL = 1e-7  # ... or 1e-7 absolute, for values near 0 where "relative" means nothing


def call(fn: Callable, *args: Any, what: str, **kwargs: Any) -> Any:
    """Call the learner's ``fn``; NotImplementedError passes through, other errors become a Mistake."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Mistake:
        raise
    except Exception as exc:
        raise Mistake(f"{what} raised {type(exc).__name__}: {str(exc).strip().splitlines()[0]}") from exc


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


def expect_dtype(value: Any, dtype: Any, what: str) -> None:
    """``value`` (a tensor) must have ``dtype`` (a NumPy or TF dtype or its name)."""
    import tensorflow as tf

    want = tf.as_dtype(dtype)
    got = tf.as_dtype(value.dtype)
    if got != want:
        raise Mistake(
            f"{what} has dtype {got.name}, expected {want.name}: keep the dtype of the logits "
            "(do not cast to a fixed dtype inside: `as_float_tensor(x)` keeps float64 as float64, and `as_float_tensor(y_true, like=logits)` matches the logits)"
        )


def expect_finite(value: Any, what: str, cause: str) -> np.ndarray:
    """Every entry must be finite; ``cause`` names the likely reason when one is not."""
    got = as_array(value, what).astype(np.float64)
    bad = ~np.isfinite(got)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise Mistake(f"{what} is {got[index]} at index {index}: {cause}")
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


def expect_reference(got: Any, want: Any, what: str, rtol: float = RTOL, atol: float = ATOL) -> None:
    """Shape, then values within ``atol + rtol * |want|``; the message shows the worst entry."""
    g = as_array(got, what).astype(np.float64)
    w = np.asarray(want, dtype=np.float64)
    if g.shape != w.shape:
        raise Mistake(f"{what} has shape {g.shape}, expected {w.shape}")
    if is_close(g, w, rtol, atol):
        return
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
        out = f(xv)
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


def expect_gradient(f: Callable, x: Any, what: str, hint: str = "") -> float:
    """``f``'s GradientTape gradient at ``x`` must match central differences, both in float64.

    ``f`` maps a float64 tensor shaped like ``x`` to a tensor. Returns the max
    absolute error seen (for reports). ``hint`` is added to the message on failure.
    """
    x = np.asarray(x, dtype=np.float64)
    try:
        result = gradient_check(f, x)
    except NotImplementedError:
        raise
    except Mistake:
        raise
    except ValueError as exc:  # no gradient path, wrong shape
        raise Mistake(f"gradient of {what}: {exc}") from exc
    except Exception as exc:
        raise Mistake(f"{what} raised {type(exc).__name__} on float64 input: {exc}") from exc
    if not result.ok:
        nan = np.isnan(result.analytic)
        if nan.any():
            index = tuple(int(i) for i in np.argwhere(nan)[0])
            raise Mistake(f"the gradient of {what} is NaN at index {index}. {hint}".strip())
        diff = np.abs(result.analytic - result.numeric)
        index = np.unravel_index(int(np.nanargmax(diff)), diff.shape)
        raise Mistake(
            f"the gradient of {what} does not match finite differences: at index "
            f"{tuple(int(i) for i in index)} GradientTape gives {result.analytic[index]:.6g}, "
            f"finite differences {result.numeric[index]:.6g}. {hint}".strip()
        )
    return result.max_abs_error


def names_used(fn: Callable) -> tuple[set[str], set[str]]:
    """(attribute names, outer names) that ``fn``'s code loads, nested functions included.

    ``tf.nn.softmax(x)`` loads the attributes ``nn`` and ``softmax``; a call of the
    learner's own ``softmax`` loads the *outer* name ``softmax`` (a global, a closure
    variable, or a module imported inside the function). Read from the bytecode,
    so the function is not run.
    """
    code = getattr(fn, "__code__", None)
    if code is None:
        return set(), set()
    attributes: set[str] = set()
    globals_: set[str] = set()
    stack = [code]
    while stack:
        current = stack.pop()
        for ins in dis.get_instructions(current):
            if ins.opname in ("LOAD_ATTR", "LOAD_METHOD"):
                attributes.add(str(ins.argval))
            elif ins.opname in ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF"):
                globals_.add(str(ins.argval))
            elif ins.opname == "IMPORT_NAME":  # `import keras` inside the function
                globals_.add(str(ins.argval).split(".")[0])
        stack.extend(c for c in current.co_consts if isinstance(c, types.CodeType))
    return attributes, globals_


def expect_from_scratch(fn: Callable, forbidden: Iterable[str], what: str) -> None:
    """``fn`` must not call the library functions it is meant to build (by attribute name), nor Keras.

    Example: ``forbidden={"softmax", "log_softmax", "reduce_logsumexp"}`` refuses
    ``tf.nn.softmax(x)`` and ``tf.math.reduce_logsumexp(x)`` but allows a call of the
    learner's own ``softmax`` function.
    """
    attributes, globals_ = names_used(fn)
    used = sorted(attributes & set(forbidden))
    if "keras" in globals_:
        used.append("keras")
    if used:
        raise Mistake(
            f"{what} calls the library's {', '.join(f'`{u}`' for u in used)}: the exercise is to build "
            "it from basic TensorFlow ops "
            "(tf.exp, tf.math.log, tf.reduce_sum, tf.where, ...), not to wrap the library version"
        )
