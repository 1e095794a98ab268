"""Checks for exercise 07: softmax-based and other alternatives to BCE for multi-label targets.

Graded functions (names and signatures fixed by COURSE.md section 3), each per example ``(batch,)``:

* ``normalized_softmax_crossentropy(y_multi_hot, logits)`` - softmax CE against y / sum(y)
  (Mahajan et al. 2018); rows with no label cost 0 and get gradient 0;
* ``multilabel_categorical_crossentropy(y_multi_hot, scores)`` - ZLPR;
* ``abs_kl_divergence(y_true, y_pred, epsilon=1e-7)`` - the forum thread's modified KL.

References: ``tf.nn.softmax_cross_entropy_with_logits`` on normalised rows, Keras CCE for
one label per row, BCE for a single label (ZLPR), and NumPy formulas in float64. The check
"built from basic ops" refuses the library's softmax cross-entropies and KL divergence, Keras,
and the lesson's Keras-based versions (``keras_normalized_crossentropy``, ...).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from losslab.exercises.checks import Check, Mistake
from losslab.exercises.from_scratch import from_scratch_checks
from losslab.exercises.tensor_checks import (
    call_loss,
    charged_elsewhere,
    expect_dtype,
    expect_finite,
    expect_gradient,
    matches_known,
    sample_problem,
)
from losslab.exercises.tensor_checks import (
    expect_reference as _expect_reference,
)
from losslab.modeling.keras_losses import LESSON_VERSIONS

__all__ = ["CHECKS", "EXERCISE", "LIBRARY_VERSIONS"]

# References here are other formulas (softplus, Keras' kernels): equal to 1e-5 relative or 1e-6 absolute.
expect_reference = partial(_expect_reference, rtol=1e-5, atol=1e-6)

EXERCISE = "07_softmax_multilabel_alternatives"

# The library's losses this exercise builds (refused by attribute, e.g. tf.nn.softmax_cross_entropy_with_logits).
LIBRARY_VERSIONS = frozenset(
    {
        "softmax_cross_entropy_with_logits",
        "categorical_crossentropy",
        "CategoricalCrossentropy",
        "kl_divergence",
        "KLDivergence",
    }
)
_SAMPLE_CALLS = {
    "normalized_softmax_crossentropy": lambda fn: fn([[1.0, 1.0, 0.0]], [[1.0, -2.0, 0.5]]),
    "multilabel_categorical_crossentropy": lambda fn: fn([[1.0, 1.0, 0.0]], [[1.0, -2.0, 0.5]]),
    "abs_kl_divergence": lambda fn: fn([[1.0, 0.0, 0.0]], [[0.7, 0.2, 0.1]]),
}

LOG_SOFTMAX_HINT = (
    "you probably take log(softmax(x)); softmax rounds small probabilities to exactly 0. "
    "Use log_softmax(x) = x - logsumexp(x) (tf.reduce_logsumexp)"
)


def _tf():
    import tensorflow as tf

    return tf


def _np_log_softmax(x):
    x = np.asarray(x, np.float64)
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def _np_lse_with_zero(v, mask):
    """log(1 + sum over mask of e^v), rows of a 2-D array."""
    v = np.where(mask, np.asarray(v, np.float64), -np.inf)
    v = np.concatenate([v, np.zeros((v.shape[0], 1))], axis=1)
    m = v.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(v - m).sum(axis=1, keepdims=True)))[:, 0]


# --- normalized_softmax_crossentropy --------------------------------------------


def _normalized_mistakes(y, x):
    ls = _np_log_softmax(x)
    return [
        (-(y * ls).sum(-1), "you did not divide the target row by its number of labels (y / sum(y))"),
        (-(y * ls).mean(-1), "you averaged over all K labels; divide y by the row's number of positives instead"),
        (-(y * np.log(np.clip(np.exp(ls), 1e-7, 1))).sum(-1) / np.maximum(y.sum(-1), 1),
         "you clip probabilities before the log; use log_softmax on the logits"),
    ]  # fmt: skip


def _normalized_matches_tf(fn):
    tf = _tf()
    y, x = sample_problem((4, 6), seed=21)
    want = tf.nn.softmax_cross_entropy_with_logits(labels=y / y.sum(-1, keepdims=True), logits=x).numpy()
    got = call_loss(fn, y, x, what="normalized_softmax_crossentropy(y, x)")
    expect_reference(got, want, "normalized_softmax_crossentropy(y, x)", _normalized_mistakes(y, x))


def _normalized_one_label(fn):
    import keras

    rng = np.random.default_rng(22)
    y = np.eye(5, dtype=np.float32)[rng.integers(0, 5, 4)]
    x = rng.normal(size=(4, 5)).astype(np.float32) * 3
    want = np.asarray(keras.losses.categorical_crossentropy(y, x, from_logits=True))
    got = call_loss(fn, y, x, what="normalized_softmax_crossentropy on one-hot rows")
    expect_reference(got, want, "with one label per row your loss (it should be categorical cross-entropy)")


def _normalized_empty_rows(fn):
    y = np.array([[0, 0, 0], [1, 0, 1]], np.float32)
    x = np.array([[1.0, -2.0, 0.5], [0.3, 0.1, -0.2]], np.float32)
    got = call_loss(fn, y, x, what="normalized_softmax_crossentropy with an all-zero row")
    expect_finite(
        got, "your loss for a row with no label", "0 / 0 gives NaN: use tf.math.divide_no_nan(y, sum)"
    )
    if abs(got[0]) > 1e-7:
        raise Mistake(f"a row with no label has no target distribution: its loss should be 0, got {got[0]}")
    want = -(np.array([0.5, 0, 0.5]) * _np_log_softmax(x[1])).sum()
    known = charged_elsewhere(_normalized_mistakes(y[1:], x[1:]))
    expect_reference(got[1:], np.array([want]), "your loss for the row [1, 0, 1]", known)


def _normalized_large_logits(fn):
    y = np.array([[1, 0, 1], [0, 1, 0]], np.float32)
    x = np.array([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0]], np.float32)
    got = call_loss(fn, y, x, what="normalized_softmax_crossentropy at logits of +-1e4")
    expect_finite(got, "your loss at logits of +-1e4", LOG_SOFTMAX_HINT)
    expect_reference(got, np.array([5000.0, 2e4]), "your loss at logits of +-1e4",
                     charged_elsewhere(_normalized_mistakes(y, x)))  # fmt: skip


def _normalized_gradient(fn):
    y = np.array([[1, 1, 0, 0], [0, 0, 1, 0], [0, 1, 0, 1]], np.float64)
    x = np.random.default_rng(23).normal(size=(3, 4))
    expect_gradient(
        lambda z: fn(y, z), x, "normalized_softmax_crossentropy (rows [1,1,0,0], [0,0,1,0], [0,1,0,1])",
        "The gradient is softmax(x) - y/sum(y); use TensorFlow ops only.",
    )  # fmt: skip


# --- multilabel_categorical_crossentropy (ZLPR) -----------------------------------


def _zlpr_np(y, s):
    return _np_lse_with_zero(s, y < 0.5) + _np_lse_with_zero(-np.asarray(s, np.float64), y > 0.5)


def _zlpr_mistakes(y, s):
    s64 = np.asarray(s, np.float64)
    neg_mask, pos_mask = y < 0.5, y > 0.5

    def lse_no_zero(v, mask):  # masked with -inf, as a learner would: an empty row gives -inf
        with np.errstate(all="ignore"):
            v = np.where(mask, v, -np.inf)
            m = v.max(axis=1, keepdims=True)
            m = np.where(np.isfinite(m), m, 0.0)
            return (m + np.log(np.exp(v - m).sum(axis=1, keepdims=True)))[:, 0]

    return [
        (_np_lse_with_zero(-s64, neg_mask) + _np_lse_with_zero(s64, pos_mask),
         "the signs are swapped: negatives enter as e^{+s}, positives as e^{-s}"),
        (lse_no_zero(s64, neg_mask) + lse_no_zero(-s64, pos_mask),
         "the extra 0 score is missing (the '1 +' inside each log): it is the threshold that positives "
         "must beat and negatives must stay under"),
        (_np_lse_with_zero(s64 * (1 - y), np.ones_like(y, bool)) + _np_lse_with_zero(-s64 * y, np.ones_like(y, bool)),
         "you masked by multiplying the scores with y or 1 - y: a masked score becomes 0, and e^0 = 1 still "
         "counts; mask with -inf (tf.where) instead"),
    ]  # fmt: skip


def _zlpr_matches(fn):
    y, s = sample_problem((4, 6), seed=31)
    got = call_loss(fn, y, s, what="multilabel_categorical_crossentropy(y, s)")
    expect_reference(got, _zlpr_np(y, s), "multilabel_categorical_crossentropy(y, s)", _zlpr_mistakes(y, s))


def _zlpr_single_label_is_bce(fn):
    tf = _tf()
    y = np.array([[1], [0], [1], [0]], np.float32)
    s = np.array([[2.0], [-1.0], [-3.0], [0.5]], np.float32)
    want = tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=s).numpy()[:, 0]
    got = call_loss(fn, y, s, what="multilabel_categorical_crossentropy with K = 1")
    expect_reference(got, want, "with a single label your loss (it should equal BCE on that label)",
                charged_elsewhere(_zlpr_mistakes(y, s)))  # fmt: skip


def _zlpr_empty_and_full_rows(fn):
    y = np.array([[0, 0, 0], [1, 1, 1]], np.float32)
    s = np.array([[1.0, -2.0, 0.5], [0.3, 2.0, -0.2]], np.float32)
    got = call_loss(fn, y, s, what="multilabel_categorical_crossentropy on rows with no / only labels")
    if matches_known(got, _zlpr_mistakes(y, s)) is not None:
        return  # a wrong formula (e.g. no 0 score) is charged by the check against the formula
    expect_finite(got, "your loss on a row with no positive (or no negative) label",
                  "a sum over an empty set must contribute log(1 + 0) = 0; keep the extra 0 score")  # fmt: skip
    expect_reference(
        got, _zlpr_np(y, s), "your loss on the rows [0, 0, 0] and [1, 1, 1]", _zlpr_mistakes(y, s)
    )


def _zlpr_large(fn):
    y = np.array([[1, 0, 1, 0]], np.float32)
    s = np.array([[1e4, 1e4, -1e4, -1e4]], np.float32)
    got = call_loss(fn, y, s, what="multilabel_categorical_crossentropy at scores of +-1e4")
    expect_finite(got, "your loss at scores of +-1e4", "use tf.reduce_logsumexp, not log(sum(exp(...)))")
    expect_reference(got, np.array([2e4]), "your loss at scores of +-1e4")


def _zlpr_gradient(fn):
    y = np.array([[1, 0, 1, 0], [0, 1, 0, 0], [1, 1, 1, 0]], np.float64)
    s = np.random.default_rng(32).normal(size=(3, 4)) * 2
    expect_gradient(lambda z: fn(y, z), s, "multilabel_categorical_crossentropy",
                    "A masked score must get no gradient: mask it out of the sum (tf.where with -inf) rather "
                    "than multiplying it by 0; use TensorFlow ops only.")  # fmt: skip


# --- abs_kl_divergence ------------------------------------------------------------


def _abs_kl_np(p, q, eps=1e-7):
    p = np.maximum(np.asarray(p, np.float64), eps)
    q = np.maximum(np.asarray(q, np.float64), eps)
    return np.abs((p - q) * np.log(p / q)).sum(-1)


def _abs_kl_mistakes(p, q, eps=1e-7):
    p64, q64 = np.asarray(p, np.float64), np.asarray(q, np.float64)
    pc, qc = np.maximum(p64, eps), np.maximum(q64, eps)
    return [
        (np.abs((pc - qc) * np.log(pc / qc)).mean(-1), "sum over labels (K.sum in the thread), not the mean"),
        ((pc * np.log(pc / qc)).sum(-1), "that is KL(P||Q); the thread's loss multiplies the log-ratio by (P - Q)"),
        (np.abs((p64 + eps - q64 - eps) * np.log((p64 + eps) / (q64 + eps))).sum(-1),
         "you added epsilon; the thread's loss clips (max(x, epsilon)), which changes only values below epsilon"),
    ]  # fmt: skip


def _abs_kl_matches(fn):
    rng = np.random.default_rng(41)
    p = (rng.random((3, 5)) < 0.4).astype(np.float32)
    q = rng.uniform(0.01, 1.5, size=(3, 5)).astype(np.float32)
    got = call_loss(fn, p, q, what="abs_kl_divergence(y_true, y_pred)")
    expect_finite(got, "abs_kl_divergence with 0 targets",
                  "log(0) where y_true is 0: clip both arguments below at epsilon first, as the thread's loss does")  # fmt: skip
    expect_reference(got, _abs_kl_np(p, q), "abs_kl_divergence(y_true, y_pred)", _abs_kl_mistakes(p, q))


def _abs_kl_properties(fn):
    p = np.array([[2.0, 0.0, 1.0]], np.float32)
    q = np.array([[0.5, 0.3, 1.0]], np.float32)
    a = call_loss(fn, p, q, what="abs_kl_divergence(P, Q)")
    b = call_loss(fn, q, p, what="abs_kl_divergence(Q, P)")
    if not np.allclose(a, b, rtol=1e-5):
        raise Mistake(f"the thread's loss is symmetric, but abs_kl(P, Q) = {a} and abs_kl(Q, P) = {b}")
    same = call_loss(fn, p, p, what="abs_kl_divergence(P, P)")
    if not np.allclose(same, 0.0, atol=1e-6):
        raise Mistake(f"abs_kl(P, P) should be 0, got {same}")
    if a.shape != (1,):
        raise Mistake(f"return one loss per example (shape (1,) here), got shape {a.shape}")


def _abs_kl_epsilon(fn):
    p = np.array([[1.0, 0.0, 0.0]], np.float32)
    q = np.array([[0.0, 0.0, 0.5]], np.float32)
    got = call_loss(fn, p, q, epsilon=1e-3, what="abs_kl_divergence(..., epsilon=1e-3)")
    expect_finite(got, "abs_kl_divergence with zeros", "clip both arguments at epsilon before dividing")
    known = [
        (_abs_kl_np(p, q, 1e-7), "the `epsilon` argument is ignored: clip with it, not with a fixed 1e-7")
    ]
    known += charged_elsewhere(_abs_kl_mistakes(p, q, 1e-3))
    expect_reference(got, _abs_kl_np(p, q, 1e-3), "abs_kl_divergence with epsilon=1e-3", known)


def _abs_kl_gradient(fn):
    p = np.array([[1.0, 0.0, 1.0, 0.0]], np.float64)
    q = np.array([[0.6, 0.2, 1.4, 0.05]], np.float64)
    expect_gradient(lambda z: fn(p, z), q, "gradient of abs_kl_divergence w.r.t. y_pred")
    tf = _tf()
    below = tf.Variable([[1e-9, 0.5]], dtype=tf.float64)
    with tf.GradientTape() as tape:
        value = tf.reduce_sum(fn(np.array([[1.0, 0.0]]), below))
    grad = tape.gradient(value, below)
    if grad is None or abs(float(grad.numpy()[0, 0])) > 1e-12:
        raise Mistake(
            "below epsilon the prediction is clipped, so its gradient must be 0 (the thread's clip); "
            f"got {None if grad is None else grad.numpy()[0, 0]}"
        )


def _dtypes(fn, name, reference, mistakes):
    """Integer 0/1 targets and float64 predictions, a batch of one: float64 out, right values."""
    y = np.array([[1, 0, 1]])
    x = np.array([[0.5, 0.25, 2.0]])
    got = call_loss(fn, y, x, what=f"{name} with integer labels and float64 inputs")
    expect_dtype(got, np.float64, f"{name} with float64 inputs")
    y64 = y.astype(np.float64)
    expect_reference(got, reference(y64, x), f"{name} on a batch of one (integer labels)",
                     charged_elsewhere(mistakes(y64, x)))  # fmt: skip


def _normalized_dtypes(fn):
    _dtypes(fn, "normalized_softmax_crossentropy", lambda y, x: -((y / y.sum(-1)) * _np_log_softmax(x)).sum(-1),
            _normalized_mistakes)  # fmt: skip


def _zlpr_dtypes(fn):
    _dtypes(fn, "multilabel_categorical_crossentropy", _zlpr_np, _zlpr_mistakes)


def _abs_kl_dtypes(fn):
    _dtypes(fn, "abs_kl_divergence", _abs_kl_np, _abs_kl_mistakes)


def _unseen_inputs(reference, mistakes, what, positive=True):
    """A grading-only check: another batch, more labels, the same properties (known mistakes charged elsewhere)."""

    def test(fn):
        y, x = sample_problem((7, 9), seed=77, scale=2.0)
        if not positive:
            x = np.abs(x) + 0.05  # predictions for abs-KL are non-negative
        got = call_loss(fn, y, x, what=f"{what} on a new batch (7 x 9)")
        expect_reference(
            got, reference(y, x), f"{what} on a new batch (7 x 9)", charged_elsewhere(mistakes(y, x))
        )

    return test


CHECKS = [
    Check("normalized_softmax_crossentropy", "equals softmax CE on y / sum(y)", _normalized_matches_tf),
    Check("normalized_softmax_crossentropy", "one label per row gives CCE", _normalized_one_label),
    Check("normalized_softmax_crossentropy", "a row with no label costs 0", _normalized_empty_rows),
    Check("normalized_softmax_crossentropy", "finite and exact at logits of +-1e4", _normalized_large_logits),
    Check("normalized_softmax_crossentropy", "gradient matches finite differences", _normalized_gradient),
    Check("normalized_softmax_crossentropy", "keeps float64; integer labels; a batch of one", _normalized_dtypes),
    Check("multilabel_categorical_crossentropy", "equals the ZLPR formula", _zlpr_matches),
    Check("multilabel_categorical_crossentropy", "one label (K = 1) gives BCE", _zlpr_single_label_is_bce),
    Check("multilabel_categorical_crossentropy", "rows with no positive / no negative", _zlpr_empty_and_full_rows),
    Check("multilabel_categorical_crossentropy", "finite and exact at scores of +-1e4", _zlpr_large),
    Check("multilabel_categorical_crossentropy", "gradient matches finite differences", _zlpr_gradient),
    Check("multilabel_categorical_crossentropy", "keeps float64; integer labels; a batch of one", _zlpr_dtypes),
    Check("abs_kl_divergence", "equals the thread's formula (targets with zeros)", _abs_kl_matches),
    Check("abs_kl_divergence", "symmetric, zero for equal inputs, one value per row", _abs_kl_properties),
    Check("abs_kl_divergence", "uses its epsilon argument", _abs_kl_epsilon),
    Check("abs_kl_divergence", "gradient: finite differences, and 0 below epsilon", _abs_kl_gradient),
    Check("abs_kl_divergence", "keeps float64; integer targets; a batch of one", _abs_kl_dtypes),
    Check("normalized_softmax_crossentropy", "a new batch with more labels",
          _unseen_inputs(lambda y, x: -((y / y.sum(-1, keepdims=True)) * _np_log_softmax(x)).sum(-1),
                         _normalized_mistakes, "normalized_softmax_crossentropy"), self_check=False),
    Check("multilabel_categorical_crossentropy", "a new batch with more labels",
          _unseen_inputs(_zlpr_np, _zlpr_mistakes, "multilabel_categorical_crossentropy"), self_check=False),
    Check("abs_kl_divergence", "a new batch with more labels",
          _unseen_inputs(_abs_kl_np, _abs_kl_mistakes, "abs_kl_divergence", positive=False), self_check=False),
]  # fmt: skip
CHECKS += from_scratch_checks(_SAMPLE_CALLS, LIBRARY_VERSIONS, LESSON_VERSIONS)
