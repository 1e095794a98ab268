"""Exercise 02's checks of categorical_crossentropy_grad: the true gradient for any non-negative rows."""

from __future__ import annotations

import numpy as np

from losslab.debugging.gradcheck import numerical_gradient
from losslab.exercises.checks import Mistake, as_array
from losslab.exercises.suites.softmax_crossentropy.inputs import (
    _EXTREME,
    _LOGITS,
    _ONE_HOT,
    _WEIGHTS,
    _tf,
    reference_ce_grad,
)
from losslab.exercises.tensor_checks import (
    call,
    expect_finite,
    expect_reference,
    expect_tensor,
    is_close,
    matches_known,
)

# --- categorical_crossentropy_grad --------------------------------------------


def _grad_known(y: np.ndarray, logits: np.ndarray, charged: bool = False) -> list:
    tf = _tf()
    y = np.asarray(y, np.float64)
    want = reference_ce_grad(y, logits)
    p = tf.nn.softmax(np.asarray(logits, np.float64)).numpy()
    known = [
        (
            -want,
            "the gradient has the wrong sign: the gradient of -sum(y log p) is sum(y) * p - y, not y - p",
        ),
        (
            p - y,
            "it is softmax - y. That is TensorFlow's gradient of softmax_cross_entropy_with_logits, "
            "right only when each label row sums to 1. For any non-negative row the true gradient is "
            "sum(y) * softmax - y (derive it: d/dx_k of -sum_j y_j log p_j)",
        ),
        (p, "it returns softmax(logits): subtract y_true (the gradient is p - y for one-hot rows)"),
    ]
    known = [(v, m, charged) for v, m in known if not is_close(v, want, atol=1e-6)]
    # the learner's own softmax inside the gradient: its mistakes are charged by softmax's checks
    x32 = np.asarray(logits, np.float32)
    with np.errstate(all="ignore"):
        naive = np.exp(x32) / np.exp(x32).sum(axis=-1, keepdims=True)
    for p_wrong in (naive, tf.nn.softmax(x32, axis=0).numpy()):
        known.append((y.sum(axis=-1, keepdims=True) * p_wrong - y, "", False))
    return known


def _grad_one_hot(fn):
    what = "categorical_crossentropy_grad(one-hot y, logits)"
    got = as_array(expect_tensor(call(fn, _ONE_HOT, _LOGITS, what=what), what), what)
    want = reference_ce_grad(_ONE_HOT, _LOGITS)
    if got.shape != want.shape:
        raise Mistake(f"{what} has shape {got.shape}: the gradient has the shape of the logits, {want.shape}")
    expect_reference(got, want, what, _grad_known(_ONE_HOT, _LOGITS, True), rtol=1e-5, atol=1e-6)


def _grad_weights(fn):
    what = "categorical_crossentropy_grad with multi-hot, soft and all-zero rows"
    got = as_array(expect_tensor(call(fn, _WEIGHTS, _LOGITS, what=what), what), what)
    known = _grad_known(_WEIGHTS, _LOGITS, True)
    if (
        matches_known(got, known) is None
        and got.shape == _WEIGHTS.shape
        and not np.allclose(got[2], 0.0, atol=1e-6)
    ):
        raise Mistake(
            f"an all-zero label row has loss 0 whatever the logits, so its gradient must be 0; got "
            f"{np.round(got[2], 4).tolist()} (softmax - y would give softmax(x) here)"
        )
    expect_reference(got, reference_ce_grad(_WEIGHTS, _LOGITS), what, known, rtol=1e-5, atol=1e-6)


def _grad_finite_differences(fn):
    """Against finite differences of the true loss in float64 (in the dtype the function returns)."""
    tf = _tf()
    y = _WEIGHTS.astype(np.float64)
    x = (_LOGITS * 2).astype(np.float64)

    def true_loss(z):
        return -tf.reduce_sum(y * tf.nn.log_softmax(z), axis=-1)

    fd = numerical_gradient(true_loss, x, weights_seed=None)  # central differences of sum(loss)
    what = "categorical_crossentropy_grad (float64)"
    got = as_array(expect_tensor(call(fn, y, x, what=what), what), what)
    expect_reference(got, fd, f"{what} vs finite differences of the true loss", _grad_known(y, x),
                     rtol=1e-5, atol=1e-6 if got.dtype == np.float64 else 1e-5)  # fmt: skip


def _grad_stable(fn):
    what = "categorical_crossentropy_grad at logits of ±1e4"
    y_ext = np.array([[1, 1, 0, 0], [0, 0, 0, 0], [0.5, 0, 0.5, 0], [0, 0, 0, 1]], np.float32)
    got = as_array(call(fn, y_ext, _EXTREME, what=what), what)
    if matches_known(got, _grad_known(y_ext, _EXTREME)) is not None:
        return  # your softmax's mistake, charged by softmax's own checks
    expect_finite(got, what, "compute softmax stably (subtract the max)")
    expect_reference(got, reference_ce_grad(y_ext, _EXTREME), what, _grad_known(y_ext, _EXTREME),
                     rtol=1e-5, atol=1e-6)  # fmt: skip


def _grad_batch_of_one(fn):
    what = "categorical_crossentropy_grad on a batch of one"
    y, x = [[0.0, 1.0, 1.0]], [[0.5, -1.0, 2.0]]
    expect_reference(call(fn, y, x, what=what), reference_ce_grad(y, x), what, _grad_known(y, x),
                     rtol=1e-5, atol=1e-6)  # fmt: skip
