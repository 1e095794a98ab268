"""Exercise 02's checks of ``softmax`` and ``log_softmax``."""

from __future__ import annotations

import numpy as np

from losslab.exercises.checks import Mistake, as_array
from losslab.exercises.suites.softmax_crossentropy.inputs import _EXTREME, _LOGITS, _RNG_3D, _tf
from losslab.exercises.tensor_checks import (
    call,
    expect_dtype,
    expect_finite,
    expect_gradient,
    expect_reference,
    expect_tensor,
    is_close,
    tape_gradient_of,
)

# --- softmax -----------------------------------------------------------------


def _softmax_basic(fn):
    tf = _tf()
    what = "softmax(logits)"
    out = expect_tensor(call(fn, _LOGITS.tolist(), what=what), what)
    got = as_array(out, what)
    if got.shape == _LOGITS.shape:
        cols = tf.nn.softmax(_LOGITS, axis=0).numpy()
        if is_close(got, cols):
            raise Mistake(
                "the columns of your softmax sum to 1, not the rows: you normalised over axis 0; "
                "use the `axis` argument (default -1, the classes) in reduce_max and reduce_sum"
            )
        sums = got.sum(axis=-1)
        if not np.allclose(sums, 1.0, atol=1e-5):
            raise Mistake(
                f"rows of your softmax do not sum to 1 (they sum to {np.round(sums, 4).tolist()}): "
                "divide exp(x) by the sum of exp over `axis`, with keepdims=True"
            )
    expect_reference(got, tf.nn.softmax(_LOGITS).numpy(), what)


def _softmax_stable(fn):
    tf = _tf()
    what = "softmax at logits of ±1e4"
    got = expect_finite(
        expect_tensor(call(fn, _EXTREME, what=what), what),
        what,
        "exp(1e4) overflows to inf and inf/inf is NaN: subtract the row maximum from the logits "
        "before exp (softmax does not change when you shift a row)",
    )
    expect_reference(got, tf.nn.softmax(_EXTREME).numpy(), what)


def _softmax_axis(fn):
    tf = _tf()
    x = _RNG_3D
    for axis in (0, 1):
        what = f"softmax(logits of shape {x.shape}, axis={axis})"
        got = as_array(expect_tensor(call(fn, x, axis=axis, what=what), what), what)
        if got.shape == x.shape and is_close(got, tf.nn.softmax(x, axis=-1).numpy()):
            raise Mistake(
                f"{what} normalised over the last axis: pass `axis` on to reduce_max and reduce_sum"
            )
        expect_reference(got, tf.nn.softmax(x, axis=axis).numpy(), what)


def _softmax_edges(fn):
    tf = _tf()
    what = "softmax of a batch of one"
    expect_reference(call(fn, _LOGITS[:1], what=what), tf.nn.softmax(_LOGITS[:1]).numpy(), what)
    what = "softmax of a 1-D vector"
    expect_reference(call(fn, _LOGITS[0], what=what), tf.nn.softmax(_LOGITS[0]).numpy(), what)
    for dtype in (np.float32, np.float64):
        what = f"softmax of {np.dtype(dtype).name} logits"
        expect_dtype(expect_tensor(call(fn, _LOGITS.astype(dtype), what=what), what), dtype, what)
    what = "softmax([[1, 2, 3]]) (integers)"
    expect_reference(call(fn, [[1, 2, 3]], what=what), tf.nn.softmax([[1.0, 2.0, 3.0]]).numpy(), what)


def _softmax_gradient(fn):
    expect_gradient(lambda z: fn(z), _LOGITS * 3, "softmax")


# --- log_softmax -------------------------------------------------------------


def _log_softmax_basic(fn):
    tf = _tf()
    what = "log_softmax(logits)"
    got = as_array(expect_tensor(call(fn, _LOGITS.tolist(), what=what), what), what)
    if got.shape == _LOGITS.shape and is_close(got, tf.nn.log_softmax(_LOGITS, axis=0).numpy()):
        raise Mistake("you normalised over axis 0 (the batch): use `axis` (default -1, the classes)")
    if got.shape == _LOGITS.shape and is_close(got, tf.nn.softmax(_LOGITS).numpy()):
        raise Mistake("log_softmax returns the probabilities themselves: it should return their logarithm")
    expect_reference(got, tf.nn.log_softmax(_LOGITS).numpy(), what)


def _log_softmax_stable(fn):
    tf = _tf()
    what = "log_softmax at logits of ±1e4"
    got = expect_finite(
        expect_tensor(call(fn, _EXTREME, what=what), what),
        what,
        "log(softmax(x)) is log(0) = -inf once a probability underflows to 0; use log-sum-exp: "
        "log_softmax(x) = (x - m) - log(sum(exp(x - m))) with m the row maximum",
    )
    expect_reference(got, tf.nn.log_softmax(_EXTREME).numpy(), what)


def _log_softmax_axis_dtype(fn):
    tf = _tf()
    for axis in (0, 1):
        what = f"log_softmax(logits of shape {_RNG_3D.shape}, axis={axis})"
        expect_reference(call(fn, _RNG_3D, axis=axis, what=what), tf.nn.log_softmax(_RNG_3D, axis=axis), what)
    what = "log_softmax of float64 logits"
    expect_dtype(expect_tensor(call(fn, _LOGITS.astype(np.float64), what=what), what), np.float64, what)


def _log_softmax_gradient(fn):
    expect_gradient(lambda z: fn(z), [[30.0, -30.0, 0.5], [2.0, 1.0, -1.0]], "log_softmax")
    grad = tape_gradient_of(lambda z: fn(z), _EXTREME.astype(np.float64), "log_softmax")
    expect_finite(
        grad, "the gradient of log_softmax at logits of ±1e4", "use the log-sum-exp form, not log(softmax)"
    )
