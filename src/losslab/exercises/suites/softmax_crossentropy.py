"""Checks for exercise 02: softmax and categorical cross-entropy, from scratch.

Graded functions (names and signatures fixed by COURSE.md §3):

* ``softmax(logits, axis=-1)`` -> same shape and dtype as ``logits``
* ``log_softmax(logits, axis=-1)`` -> same shape and dtype as ``logits``
* ``categorical_crossentropy(y_true, logits)`` -> (n,), one loss per example;
  rows of ``y_true`` may be any non-negative weights
* ``sparse_categorical_crossentropy(labels, logits)`` -> (n,)
* ``categorical_crossentropy_grad(y_true, logits)`` -> (n, C), the true gradient
  of ``sum(categorical_crossentropy(y_true, logits))`` with respect to ``logits``

References: ``tf.nn.softmax``, ``tf.nn.log_softmax``,
``tf.nn.softmax_cross_entropy_with_logits`` (its *value*; its gradient is
only right for rows that sum to 1), ``tf.nn.sparse_softmax_cross_entropy_with_logits``.
Each check is a pure function of the learner's function.
"""

from __future__ import annotations

import numpy as np

from losslab.debugging.gradcheck import numerical_gradient
from losslab.environment.determinism import default_tf_kernels
from losslab.exercises.checks import Check, Mistake, as_array
from losslab.exercises.tensor_checks import (
    call,
    expect_dtype,
    expect_finite,
    expect_from_scratch,
    expect_gradient,
    expect_reference,
    expect_tensor,
    is_close,
    tape_gradient_of,
)

__all__ = ["CHECKS", "EXERCISE", "LIBRARY_VERSIONS", "reference_ce_grad"]

EXERCISE = "02_softmax_crossentropy"

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


def _from_scratch(target: str):
    """A check that ``target`` runs and does not wrap the library function it is meant to build."""

    def test(fn):
        call(_SAMPLE_CALLS[target], fn, what=target)  # an untouched stub fails here
        expect_from_scratch(fn, LIBRARY_VERSIONS, target)

    test.__name__ = f"_{target}_from_scratch"
    return test


def _default_kernels(test):
    """Run ``test`` with TensorFlow's default kernels (op determinism off), as outside the course.

    With op determinism on (``setup_notebook()`` turns it on) TensorFlow's
    softmax_cross_entropy_with_logits has the right gradient for any label row;
    with its default fused kernel it does not. Gradients are graded as a
    learner's code would run in a normal training script.
    """

    def run(fn):
        with default_tf_kernels():
            test(fn)

    run.__name__ = test.__name__
    run.__doc__ = test.__doc__
    return run


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


# --- categorical_crossentropy -------------------------------------------------


def _diagnose_ce(got: np.ndarray, y: np.ndarray, logits: np.ndarray) -> None:
    """Raise a Mistake naming the cause when ``got`` matches a known wrong CE."""
    tf = _tf()
    n, c = logits.shape
    want = _ref_ce(y, logits)
    if got.shape == ():
        raise Mistake(
            "categorical_crossentropy returned one number: it should return one loss per example, "
            f"shape ({n},); do not average (or sum) over the batch - Keras reduces later"
        )
    if got.shape == (n, c):
        raise Mistake(
            f"categorical_crossentropy returned shape ({n}, {c}): sum y * log_softmax over the classes "
            "(axis=-1) to get one loss per example"
        )
    if got.shape != (n,):
        raise Mistake(f"categorical_crossentropy returned shape {got.shape}, expected ({n},)")
    if is_close(got, -want) and not is_close(want, 0 * want):
        raise Mistake("your losses are negative: a minus sign is missing, CE = -sum(y * log p)")
    if is_close(got, want / c):
        raise Mistake(
            f"your losses are 1/{c} of the reference: you averaged over the classes (reduce_mean); "
            "cross-entropy sums over them (reduce_sum)"
        )
    if is_close(got, _ref_ce(y, tf.nn.softmax(logits).numpy())):
        raise Mistake(
            "softmax is applied twice: categorical_crossentropy receives logits and applies "
            "log_softmax itself; do not pass probabilities into it"
        )
    wrong_axis = -np.sum(y * tf.nn.log_softmax(logits, axis=0).numpy(), axis=-1)
    if is_close(got, wrong_axis) and not is_close(got, want):
        raise Mistake(
            "your softmax normalises over axis 0 (the batch), not over the classes: use axis=-1 "
            "in reduce_max / reduce_sum / reduce_logsumexp"
        )


def _ce_basic(fn):
    what = "categorical_crossentropy(one-hot y, logits)"
    got = as_array(expect_tensor(call(fn, _ONE_HOT.tolist(), _LOGITS.tolist(), what=what), what), what)
    _diagnose_ce(got, _ONE_HOT, _LOGITS)
    expect_reference(got, _ref_ce(_ONE_HOT, _LOGITS), what)


def _ce_stable(fn):
    what = "categorical_crossentropy at logits of ±1e4"
    y = np.eye(4, dtype=np.float32)[[1, 0, 2, 3]]
    got = expect_finite(
        expect_tensor(call(fn, y, _EXTREME, what=what), what),
        what,
        "you take log(softmax(x)), which is log(0) = -inf when a probability underflows (or exp overflows); "
        "use log_softmax by log-sum-exp",
    )
    _diagnose_ce(got, y, _EXTREME)
    expect_reference(got, _ref_ce(y, _EXTREME), what)


def _ce_weights(fn):
    what = "categorical_crossentropy with soft, multi-hot and all-zero label rows"
    got = as_array(expect_tensor(call(fn, _WEIGHTS, _LOGITS, what=what), what), what)
    _diagnose_ce(got, _WEIGHTS, _LOGITS)
    if got.shape == (4,) and not np.isclose(got[2], 0.0, atol=1e-7):
        raise Mistake(
            f"an all-zero label row should give loss 0 (nothing to predict), got {got[2]:.6g}: "
            "do not normalise y_true rows or add a constant"
        )
    expect_reference(got, _ref_ce(_WEIGHTS, _LOGITS), what)
    y_ext = np.array([[0.5, 0.5, 0, 0], [0, 0, 0, 0], [1, 1, 1, 0], [0.25, 0.25, 0.25, 0.25]], np.float32)
    what = "categorical_crossentropy with non-one-hot rows at logits of ±1e4"
    got = expect_finite(call(fn, y_ext, _EXTREME, what=what), what, "use log_softmax by log-sum-exp")
    expect_reference(got, _ref_ce(y_ext, _EXTREME), what)


def _ce_edges(fn):
    what = "categorical_crossentropy on a batch of one"
    expect_reference(call(fn, _ONE_HOT[:1], _LOGITS[:1], what=what), _ref_ce(_ONE_HOT[:1], _LOGITS[:1]), what)
    what = "categorical_crossentropy with integer 0/1 y_true"
    expect_reference(
        call(fn, _ONE_HOT.astype(np.int64), _LOGITS, what=what), _ref_ce(_ONE_HOT, _LOGITS), what
    )
    for dtype in (np.float32, np.float64):
        what = f"categorical_crossentropy with {np.dtype(dtype).name} logits"
        out = expect_tensor(call(fn, _ONE_HOT, _LOGITS.astype(dtype), what=what), what)
        expect_dtype(out, dtype, what)


@_default_kernels
def _ce_gradient(fn):
    y = _WEIGHTS.astype(np.float64)
    expect_gradient(
        lambda z: fn(y, z),
        _LOGITS * 2,
        "categorical_crossentropy (soft, multi-hot and all-zero rows)",
        "For a row that does not sum to 1 the true gradient is sum(y) * softmax - y. If you call "
        "tf.nn.softmax_cross_entropy_with_logits (or Keras' CategoricalCrossentropy), its gradient is "
        "softmax - y, which is only right when each row sums to 1: write the loss yourself.",
    )


# --- sparse_categorical_crossentropy ------------------------------------------


def _ref_sparse(labels, logits):
    return _tf().nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits).numpy()


def _sparse_basic(fn):
    what = "sparse_categorical_crossentropy(labels, logits)"
    got = as_array(expect_tensor(call(fn, _LABELS.tolist(), _LOGITS.tolist(), what=what), what), what)
    n = len(_LABELS)
    if got.shape == (n, n):
        raise Mistake(
            f"result has shape ({n}, {n}): tf.gather(log_p, labels, axis=1) picks every label for every row; "
            "use batch_dims=1 (or tf.one_hot and sum) to pick one entry per row"
        )
    if got.shape == ():
        raise Mistake(f"returned one number: return one loss per example, shape ({n},)")
    if got.shape == (n,) and is_close(got, -_ref_sparse(_LABELS, _LOGITS)):
        raise Mistake("your losses are negative: a minus sign is missing, CE = -log p[label]")
    expect_reference(got, _ref_sparse(_LABELS, _LOGITS), what)


def _sparse_stable(fn):
    what = "sparse_categorical_crossentropy at logits of ±1e4"
    labels = np.array([1, 0, 2, 3])
    got = expect_finite(
        expect_tensor(call(fn, labels, _EXTREME, what=what), what),
        what,
        "you take log(softmax(x)); use log_softmax by log-sum-exp",
    )
    expect_reference(got, _ref_sparse(labels, _EXTREME), what)


def _sparse_edges(fn):
    what = "sparse_categorical_crossentropy on a batch of one"
    expect_reference(call(fn, [3], _LOGITS[:1], what=what), _ref_sparse([3], _LOGITS[:1]), what)
    for dtype in (np.int32, np.int64):
        what = f"sparse_categorical_crossentropy with {np.dtype(dtype).name} labels"
        expect_reference(
            call(fn, _LABELS.astype(dtype), _LOGITS, what=what), _ref_sparse(_LABELS, _LOGITS), what
        )
    what = "sparse_categorical_crossentropy with float64 logits"
    expect_dtype(
        expect_tensor(call(fn, _LABELS, _LOGITS.astype(np.float64), what=what), what), np.float64, what
    )


def _sparse_gradient(fn):
    expect_gradient(lambda z: fn(_LABELS, z), _LOGITS * 2, "sparse_categorical_crossentropy")


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


CHECKS = [
    Check("softmax", "rows sum to 1 and match tf.nn.softmax", _softmax_basic),
    Check("softmax", "finite at logits of ±1e4 (stable)", _softmax_stable, points=2),
    Check("softmax", "honours the axis argument", _softmax_axis),
    Check("softmax", "batch of one, 1-D input, dtypes, integer input", _softmax_edges, self_check=False),
    Check("softmax", "gradient matches finite differences", _softmax_gradient, points=2, self_check=False),
    Check("log_softmax", "matches tf.nn.log_softmax", _log_softmax_basic),
    Check("log_softmax", "finite at logits of ±1e4 (log-sum-exp)", _log_softmax_stable, points=2),
    Check("log_softmax", "axis argument and float64", _log_softmax_axis_dtype, self_check=False),
    Check(
        "log_softmax",
        "gradient matches finite differences, finite at ±1e4",
        _log_softmax_gradient,
        points=2,
        self_check=False,
    ),
    Check("categorical_crossentropy", "one loss per example, matches TensorFlow", _ce_basic),
    Check("categorical_crossentropy", "finite and right at logits of ±1e4", _ce_stable, points=2),
    Check(
        "categorical_crossentropy",
        "soft, multi-hot and all-zero label rows",
        _ce_weights,
        points=2,
        self_check=False,
    ),
    Check("categorical_crossentropy", "batch of one, integer labels, dtypes", _ce_edges, self_check=False),
    Check(
        "categorical_crossentropy",
        "gradient right for any non-negative label rows",
        _ce_gradient,
        points=3,
        self_check=False,
    ),
    Check("sparse_categorical_crossentropy", "matches TensorFlow's sparse CE", _sparse_basic),
    Check("sparse_categorical_crossentropy", "finite at logits of ±1e4", _sparse_stable, points=2),
    Check(
        "sparse_categorical_crossentropy",
        "batch of one, int32/int64 labels, float64",
        _sparse_edges,
        self_check=False,
    ),
    Check(
        "sparse_categorical_crossentropy",
        "gradient matches finite differences",
        _sparse_gradient,
        points=2,
        self_check=False,
    ),
    Check("categorical_crossentropy_grad", "p - y for one-hot rows", _grad_one_hot),
    Check(
        "categorical_crossentropy_grad",
        "the true gradient for multi-hot, soft and all-zero rows",
        _grad_weights,
        points=3,
    ),
    Check(
        "categorical_crossentropy_grad",
        "matches finite differences in float64; finite at ±1e4",
        _grad_finite_differences,
        points=3,
        self_check=False,
    ),
    Check("categorical_crossentropy_grad", "batch of one", _grad_batch_of_one, self_check=False),
] + [
    Check(target, "built from basic ops, not the library version", _from_scratch(target), self_check=False)
    for target in _SAMPLE_CALLS
]
