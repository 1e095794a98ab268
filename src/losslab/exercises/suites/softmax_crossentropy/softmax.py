"""Exercise 02's checks of softmax and log_softmax (one mistake, one deduction: see tensor_checks)."""

from __future__ import annotations

import numpy as np

from losslab.exercises.checks import Mistake, as_array
from losslab.exercises.suites.softmax_crossentropy.inputs import (
    _EXTREME,
    _LOGITS,
    _RNG_3D,
    _tf,
)
from losslab.exercises.tensor_checks import (
    call,
    expect_finite,
    expect_gradient,
    expect_reference,
    expect_tensor,
    is_close,
    matches_known,
)

# --- softmax -----------------------------------------------------------------
#
# One mistake, one deduction: the check that owns a mistake names it; the other checks
# recognise the same wrong result (``charged=False``) and let it pass.


def _softmax_known(x, axis=-1, charged=False):
    tf = _tf()
    x = np.asarray(x, np.float32)
    if x.ndim < 2:
        return []
    return [
        (
            tf.nn.softmax(x, axis=0).numpy(),
            "the columns of your softmax sum to 1, not the rows: you normalised over axis 0; "
            "use the `axis` argument (default -1, the classes) in reduce_max and reduce_sum",
            charged,
        )
    ]


def _softmax_basic(fn):
    tf = _tf()
    what = "softmax(logits)"
    got = as_array(expect_tensor(call(fn, _LOGITS.tolist(), what=what), what), what)
    if got.shape == _LOGITS.shape and not is_close(got, tf.nn.softmax(_LOGITS).numpy()):
        sums = got.sum(axis=-1)
        if matches_known(got, _softmax_known(_LOGITS)) is None and not np.allclose(sums, 1.0, atol=1e-5):
            raise Mistake(
                f"rows of your softmax do not sum to 1 (they sum to {np.round(sums, 4).tolist()}): "
                "divide exp(x) by the sum of exp over `axis`, with keepdims=True"
            )
    expect_reference(got, tf.nn.softmax(_LOGITS).numpy(), what, _softmax_known(_LOGITS, charged=True))


def _softmax_stable(fn):
    tf = _tf()
    what = "softmax at logits of ±1e4"
    got = expect_finite(
        expect_tensor(call(fn, _EXTREME, what=what), what),
        what,
        "exp(1e4) overflows to inf and inf/inf is NaN: subtract the row maximum from the logits "
        "before exp (softmax does not change when you shift a row)",
    )
    expect_reference(got, tf.nn.softmax(_EXTREME).numpy(), what, _softmax_known(_EXTREME))


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
        expect_reference(got, tf.nn.softmax(x, axis=axis).numpy(), what, _softmax_known(x))


def _softmax_edges(fn):
    tf = _tf()
    what = "softmax of a batch of one"
    x1 = _LOGITS[:1]
    expect_reference(call(fn, x1, what=what), tf.nn.softmax(x1).numpy(), what, _softmax_known(x1))
    what = "softmax of a 1-D vector"
    expect_reference(call(fn, _LOGITS[0], what=what), tf.nn.softmax(_LOGITS[0]).numpy(), what)
    what = "softmax([[1, 2, 3]]) (integers)"
    xi = np.array([[1.0, 2.0, 3.0]], np.float32)
    expect_reference(call(fn, [[1, 2, 3]], what=what), tf.nn.softmax(xi).numpy(), what, _softmax_known(xi))


def _softmax_gradient(fn):
    expect_gradient(lambda z: fn(z), _LOGITS * 3, "softmax")


# --- log_softmax -------------------------------------------------------------


def _log_softmax_known(x, charged=False):
    tf = _tf()
    return [
        (
            tf.nn.log_softmax(x, axis=0).numpy(),
            "you normalised over axis 0 (the batch): use `axis` (default -1, the classes)",
            charged,
        ),
        (
            tf.nn.softmax(x).numpy(),
            "log_softmax returns the probabilities themselves: it should return their logarithm",
            charged,
        ),
    ]


def _log_softmax_basic(fn):
    tf = _tf()
    what = "log_softmax(logits)"
    got = as_array(expect_tensor(call(fn, _LOGITS.tolist(), what=what), what), what)
    expect_reference(got, tf.nn.log_softmax(_LOGITS).numpy(), what, _log_softmax_known(_LOGITS, True))


def _log_softmax_stable(fn):
    tf = _tf()
    what = "log_softmax at logits of ±1e4"
    got = expect_finite(
        expect_tensor(call(fn, _EXTREME, what=what), what),
        what,
        "log(softmax(x)) is log(0) = -inf once a probability underflows to 0; use log-sum-exp: "
        "log_softmax(x) = (x - m) - log(sum(exp(x - m))) with m the row maximum",
    )
    expect_reference(got, tf.nn.log_softmax(_EXTREME).numpy(), what, _log_softmax_known(_EXTREME))


def _log_softmax_axis(fn):
    tf = _tf()
    for axis in (0, 1):
        what = f"log_softmax(logits of shape {_RNG_3D.shape}, axis={axis})"
        got = call(fn, _RNG_3D, axis=axis, what=what)
        expect_reference(got, tf.nn.log_softmax(_RNG_3D, axis=axis), what, _log_softmax_known(_RNG_3D))


def _log_softmax_gradient(fn):
    expect_gradient(lambda z: fn(z), [[3.0, -3.0, 0.5], [2.0, 1.0, -1.0]], "log_softmax")
