"""Exercise 02's checks of ``categorical_crossentropy_grad``: the true gradient, for any label rows."""

from __future__ import annotations

import numpy as np

from losslab.debugging.gradcheck import numerical_gradient
from losslab.exercises.checks import Mistake, as_array
from losslab.exercises.suites.softmax_crossentropy.inputs import (
    _EXTREME,
    _LOGITS,
    _ONE_HOT,
    _WEIGHTS,
    _default_kernels,
    _tf,
    reference_ce_grad,
)
from losslab.exercises.tensor_checks import (
    call,
    expect_finite,
    expect_reference,
    expect_tensor,
    is_close,
)

# --- categorical_crossentropy_grad --------------------------------------------


def _grad_diagnose(got: np.ndarray, y: np.ndarray, logits: np.ndarray, what: str) -> None:
    tf = _tf()
    want = reference_ce_grad(y, logits)
    if got.shape != want.shape:
        raise Mistake(f"{what} has shape {got.shape}: the gradient has the shape of the logits, {want.shape}")
    p = tf.nn.softmax(logits.astype(np.float64)).numpy()
    if is_close(got, -want, atol=1e-6):
        raise Mistake(
            f"{what} has the wrong sign: the gradient of -sum(y log p) is sum(y) * p - y, not y - p"
        )
    if not is_close(want, p - y, atol=1e-6) and is_close(got, p - y, rtol=1e-5, atol=1e-6):
        raise Mistake(
            f"{what} is softmax - y. That is TensorFlow's gradient of softmax_cross_entropy_with_logits, "
            "right only when each label row sums to 1. For any non-negative row the true gradient is "
            "sum(y) * softmax - y (derive it: d/dx_k of -sum_j y_j log p_j)"
        )


@_default_kernels
def _grad_one_hot(fn):
    tf = _tf()
    what = "categorical_crossentropy_grad(one-hot y, logits)"
    got = as_array(expect_tensor(call(fn, _ONE_HOT, _LOGITS, what=what), what), what)
    _grad_diagnose(got, _ONE_HOT, _LOGITS, what)
    if got.shape == _LOGITS.shape and is_close(got, tf.nn.softmax(_LOGITS).numpy(), rtol=1e-5, atol=1e-6):
        raise Mistake(
            f"{what} returns softmax(logits): subtract y_true (the gradient is p - y for one-hot rows)"
        )
    expect_reference(got, reference_ce_grad(_ONE_HOT, _LOGITS), what, rtol=1e-5, atol=1e-6)


@_default_kernels
def _grad_weights(fn):
    what = "categorical_crossentropy_grad with multi-hot, soft and all-zero rows"
    got = as_array(expect_tensor(call(fn, _WEIGHTS, _LOGITS, what=what), what), what)
    _grad_diagnose(got, _WEIGHTS, _LOGITS, what)
    if got.shape == _WEIGHTS.shape and not np.allclose(got[2], 0.0, atol=1e-6):
        raise Mistake(
            f"an all-zero label row has loss 0 whatever the logits, so its gradient must be 0; got "
            f"{np.round(got[2], 4).tolist()} (softmax - y would give softmax(x) here)"
        )
    expect_reference(got, reference_ce_grad(_WEIGHTS, _LOGITS), what, rtol=1e-5, atol=1e-6)


@_default_kernels
def _grad_finite_differences(fn):
    """Against finite differences of the true loss in float64, and finite at ±1e4."""
    tf = _tf()
    y = _WEIGHTS.astype(np.float64)
    x = (_LOGITS * 2).astype(np.float64)

    def true_loss(z):
        return -tf.reduce_sum(y * tf.nn.log_softmax(z), axis=-1)

    fd = numerical_gradient(true_loss, x, weights_seed=None)  # central differences of sum(loss)
    what = "categorical_crossentropy_grad (float64)"
    got = as_array(expect_tensor(call(fn, y, x, what=what), what), what)
    _grad_diagnose(got, y, x, what)
    expect_reference(got, fd, f"{what} vs finite differences of the true loss", rtol=1e-5, atol=1e-7)
    if got.dtype != np.float64:
        raise Mistake(f"{what} returned {got.dtype}: keep the dtype of the logits")
    what = "categorical_crossentropy_grad at logits of ±1e4"
    y_ext = np.array([[1, 1, 0, 0], [0, 0, 0, 0], [0.5, 0, 0.5, 0], [0, 0, 0, 1]], np.float32)
    got = expect_finite(
        call(fn, y_ext, _EXTREME, what=what), what, "compute softmax stably (subtract the max)"
    )
    expect_reference(got, reference_ce_grad(y_ext, _EXTREME), what, rtol=1e-5, atol=1e-6)


@_default_kernels
def _grad_batch_of_one(fn):
    what = "categorical_crossentropy_grad on a batch of one"
    expect_reference(
        call(fn, [[0.0, 1.0, 1.0]], [[0.5, -1.0, 2.0]], what=what),
        reference_ce_grad([[0.0, 1.0, 1.0]], [[0.5, -1.0, 2.0]]),
        what,
        rtol=1e-5,
        atol=1e-6,
    )
