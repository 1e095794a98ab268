"""Exercise 02's fixed inputs, references, and the checks' shared helpers (graded with TensorFlow's default kernels)."""

from __future__ import annotations

import numpy as np

from losslab.exercises.tensor_checks import call, expect_dtype, expect_tensor

# Inputs shared by the checks (fixed, so every learner is graded on the same numbers).
_RNG = np.random.default_rng(2)
_LOGITS = _RNG.normal(0.0, 2.0, size=(4, 5)).astype(np.float32)
_EXTREME = np.array(
    [
        [1e4, -1e4, 0.0, 5.0],
        [-1e4, -1e4, -1e4, -1e4 + 1.0],
        [1000.0, 0.0, -1000.0, 88.0],
        [0.0, 0.0, 0.0, 0.0],
    ],
    dtype=np.float32,
)
_RNG_3D = np.random.default_rng(3).normal(0.0, 3.0, size=(2, 3, 4)).astype(np.float32)
_ONE_HOT = np.eye(5, dtype=np.float32)[[1, 0, 4, 2]]
_LABELS = np.array([1, 0, 4, 2])
# Rows that are not distributions: soft, multi-hot, all-zero, weights summing to 3.5.
_WEIGHTS = np.array(
    [
        [0.2, 0.3, 0.5, 0.0, 0.0],
        [1.0, 1.0, 0.0, 0.0, 1.0],
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [0.5, 2.0, 0.0, 1.0, 0.0],
    ],
    dtype=np.float32,
)


def _tf():
    from losslab.environment.runtime import import_tensorflow_quietly

    return import_tensorflow_quietly()[0]


def _ref_ce(y, logits):
    tf = _tf()
    return tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits).numpy()


def reference_ce_grad(y_true, logits) -> np.ndarray:
    """The true gradient of sum_i CE(y_i, logits_i): (sum_c y_ic) * softmax(logits_i) - y_i; float64."""
    tf = _tf()
    y = np.asarray(y_true, dtype=np.float64)
    p = tf.nn.softmax(np.asarray(logits, dtype=np.float64)).numpy()
    return y.sum(axis=-1, keepdims=True) * p - y


# Library functions the exercise builds; calling them (by attribute, e.g. tf.nn.softmax) is refused.
LIBRARY_VERSIONS = frozenset(
    {
        "softmax",
        "log_softmax",
        "reduce_logsumexp",
        "logsumexp",
        "softmax_cross_entropy_with_logits",
        "softmax_cross_entropy_with_logits_v2",
        "sparse_softmax_cross_entropy_with_logits",
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
        "CategoricalCrossentropy",
        "SparseCategoricalCrossentropy",
    }
)

_SAMPLE_CALLS = {
    "softmax": lambda fn: fn([[1.0, 2.0, 0.5]]),
    "log_softmax": lambda fn: fn([[1.0, 2.0, 0.5]]),
    "categorical_crossentropy": lambda fn: fn([[0.0, 1.0, 0.0]], [[1.0, 2.0, 0.5]]),
    "sparse_categorical_crossentropy": lambda fn: fn([1], [[1.0, 2.0, 0.5]]),
    "categorical_crossentropy_grad": lambda fn: fn([[0.0, 1.0, 0.0]], [[1.0, 2.0, 0.5]]),
}


def _dtype_check(call_with, what_for):
    """A check that float32 and float64 inputs give results of the same dtype (``call_with(fn, dtype)``)."""

    def test(fn):
        for dtype in (np.float32, np.float64):
            what = what_for(np.dtype(dtype).name)
            expect_dtype(expect_tensor(call(call_with, fn, dtype, what=what), what), dtype, what)

    return test


def _cast(x, dtype):
    return np.asarray(x).astype(dtype)


_DTYPE_CALLS = {
    "softmax": lambda fn, d: fn(_cast(_LOGITS, d)),
    "log_softmax": lambda fn, d: fn(_cast(_LOGITS, d)),
    "categorical_crossentropy": lambda fn, d: fn(_ONE_HOT, _cast(_LOGITS, d)),
    "sparse_categorical_crossentropy": lambda fn, d: fn(_LABELS, _cast(_LOGITS, d)),
    "categorical_crossentropy_grad": lambda fn, d: fn(_WEIGHTS, _cast(_LOGITS, d)),
}
