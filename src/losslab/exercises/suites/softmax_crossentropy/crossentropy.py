"""Exercise 02's checks of categorical_crossentropy and sparse_categorical_crossentropy."""

from __future__ import annotations

import numpy as np

from losslab.exercises.checks import Mistake, as_array
from losslab.exercises.suites.softmax_crossentropy.inputs import (
    _EXTREME,
    _LABELS,
    _LOGITS,
    _ONE_HOT,
    _WEIGHTS,
    _ref_ce,
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

# --- categorical_crossentropy -------------------------------------------------


def _ce_known(y: np.ndarray, logits: np.ndarray, charged: bool = False) -> list:
    """Results of the known wrong cross-entropies; ``charged`` in the check that owns them."""
    tf = _tf()
    n, c = logits.shape
    want = _ref_ce(y, logits)
    log_p = tf.nn.log_softmax(logits).numpy()
    known = [
        (
            np.float64(want.mean()),
            "categorical_crossentropy returned one number: it should return one loss per example, "
            f"shape ({n},); do not average (or sum) over the batch - Keras reduces later",
        ),
        (np.float64(want.sum()), f"it returned one number (the sum over the batch): return shape ({n},)"),
        (
            -(y * log_p),
            f"it returned shape ({n}, {c}): sum y * log_softmax over the classes (axis=-1) to get one "
            "loss per example",
        ),
        (-want, "your losses are negative: a minus sign is missing, CE = -sum(y * log p)"),
        (
            want / c,
            f"your losses are 1/{c} of the reference: you averaged over the classes (reduce_mean); "
            "cross-entropy sums over them (reduce_sum)",
        ),
        (
            _ref_ce(y, tf.nn.softmax(logits).numpy()),
            "softmax is applied twice: categorical_crossentropy receives logits and applies "
            "log_softmax itself; do not pass probabilities into it",
        ),
        (
            -np.sum(y * tf.nn.log_softmax(logits, axis=0).numpy(), axis=-1),
            "your softmax normalises over axis 0 (the batch), not over the classes: use axis=-1 "
            "in reduce_max / reduce_sum / reduce_logsumexp",
        ),
    ]
    return [(v, m, charged) for v, m in known if not is_close(v, want)]


def _ce_basic(fn):
    what = "categorical_crossentropy(one-hot y, logits)"
    got = as_array(expect_tensor(call(fn, _ONE_HOT.tolist(), _LOGITS.tolist(), what=what), what), what)
    expect_reference(got, _ref_ce(_ONE_HOT, _LOGITS), what, _ce_known(_ONE_HOT, _LOGITS, charged=True))


def _ce_stable(fn):
    what = "categorical_crossentropy at logits of ±1e4"
    y = np.eye(4, dtype=np.float32)[[1, 0, 2, 3]]
    got = expect_finite(
        expect_tensor(call(fn, y, _EXTREME, what=what), what),
        what,
        "you take log(softmax(x)), which is log(0) = -inf when a probability underflows (or exp overflows); "
        "use log_softmax by log-sum-exp",
    )
    expect_reference(got, _ref_ce(y, _EXTREME), what, _ce_known(y, _EXTREME))


def _ce_weights(fn):
    what = "categorical_crossentropy with soft, multi-hot and all-zero label rows"
    got = as_array(expect_tensor(call(fn, _WEIGHTS, _LOGITS, what=what), what), what)
    known = _ce_known(_WEIGHTS, _LOGITS)
    if matches_known(got, known) is None and got.shape == (4,) and not np.isclose(got[2], 0.0, atol=1e-7):
        raise Mistake(
            f"an all-zero label row should give loss 0 (nothing to predict), got {got[2]:.6g}: "
            "do not normalise y_true rows or add a constant"
        )
    expect_reference(got, _ref_ce(_WEIGHTS, _LOGITS), what, known)


def _ce_edges(fn):
    what = "categorical_crossentropy on a batch of one"
    y1, x1 = _ONE_HOT[:1], _LOGITS[:1]
    expect_reference(call(fn, y1, x1, what=what), _ref_ce(y1, x1), what, _ce_known(y1, x1))
    what = "categorical_crossentropy with integer 0/1 y_true"
    expect_reference(
        call(fn, _ONE_HOT.astype(np.int64), _LOGITS, what=what),
        _ref_ce(_ONE_HOT, _LOGITS),
        what,
        _ce_known(_ONE_HOT, _LOGITS),
    )


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


def _sparse_known(labels, logits, charged=False):
    tf = _tf()
    n = len(labels)
    log_p = tf.nn.log_softmax(np.asarray(logits, np.float32)).numpy()
    want = _ref_sparse(labels, logits)
    return [
        (
            -log_p[:, np.asarray(labels)],
            f"result has shape ({n}, {n}): tf.gather(log_p, labels, axis=1) picks every label for every "
            "row; use batch_dims=1 (or tf.one_hot and sum) to pick one entry per row",
            charged,
        ),
        (np.float64(want.mean()), f"returned one number: return one loss per example, shape ({n},)", charged),
        (-want, "your losses are negative: a minus sign is missing, CE = -log p[label]", charged),
    ]


def _sparse_basic(fn):
    what = "sparse_categorical_crossentropy(labels, logits)"
    got = as_array(expect_tensor(call(fn, _LABELS.tolist(), _LOGITS.tolist(), what=what), what), what)
    expect_reference(got, _ref_sparse(_LABELS, _LOGITS), what, _sparse_known(_LABELS, _LOGITS, True))


def _sparse_stable(fn):
    what = "sparse_categorical_crossentropy at logits of ±1e4"
    labels = np.array([1, 0, 2, 3])
    got = expect_finite(
        expect_tensor(call(fn, labels, _EXTREME, what=what), what),
        what,
        "you take log(softmax(x)); use log_softmax by log-sum-exp",
    )
    expect_reference(got, _ref_sparse(labels, _EXTREME), what, _sparse_known(labels, _EXTREME))


def _sparse_edges(fn):
    what = "sparse_categorical_crossentropy on a batch of one"
    expect_reference(call(fn, [3], _LOGITS[:1], what=what), _ref_sparse([3], _LOGITS[:1]), what,
                     _sparse_known([3], _LOGITS[:1]))  # fmt: skip
    for dtype in (np.int32, np.int64):
        what = f"sparse_categorical_crossentropy with {np.dtype(dtype).name} labels"
        expect_reference(
            call(fn, _LABELS.astype(dtype), _LOGITS, what=what),
            _ref_sparse(_LABELS, _LOGITS),
            what,
            _sparse_known(_LABELS, _LOGITS),
        )


def _sparse_gradient(fn):
    expect_gradient(lambda z: fn(_LABELS, z), _LOGITS * 2, "sparse_categorical_crossentropy")
