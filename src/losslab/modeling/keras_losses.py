"""The multi-label losses of lessons 04-08, written with Keras' built-in losses.

The lessons train and plot with these; the exercises ask for the same losses built
from basic TensorFlow ops (exact for every logit, right gradients, the input's
dtype), and their "built from basic ops" check refuses these functions and the
Keras losses inside them. So the learners' edition of the course can ship this
module without handing out the exercises' answers.

Each function is a short composition of Keras losses, and its docstring says the
identity that makes it right and where Keras' clipping (probabilities kept in
``[1e-7, 1 - 1e-7]``) makes it differ from the exact formula.

Conventions: ``y`` is float-convertible, shape ``(batch, K)``, values in [0, 1];
logits / scores are float32 or float64 ``(batch, K)``. Element-wise losses return
the logits' shape, per-example losses ``(batch,)``.
"""

from __future__ import annotations

import sys

import numpy as np

from losslab.environment.runtime import import_tensorflow_quietly
from losslab.modeling.tensors import TARGETS_IN_UNIT_INTERVAL, expect_values_between, matching_float_pair

__all__ = [
    "LESSON_VERSIONS",
    "keras_asymmetric_loss",
    "keras_normalized_crossentropy",
    "keras_symmetric_kl",
    "keras_zlpr_loss",
    "normalized_rows",
]

# What the exercises' "built from basic ops" checks refuse, by any name (these wrap Keras' losses).
LESSON_VERSIONS = frozenset(
    {"keras_asymmetric_loss", "keras_normalized_crossentropy", "keras_symmetric_kl", "keras_zlpr_loss"}
)

# A score far below any real one: e^(-1e9 - max) is 0 in float32 and float64, so a label masked
# with it drops out of a softmax exactly, and (unlike -inf) 0 * it stays 0 in the cross-entropy.
_MASKED_SCORE = -1e9


def _tf_keras():
    """TensorFlow and Keras, imported quietly on first use (later calls may run inside a traced graph)."""
    if "tensorflow" not in sys.modules:
        import_tensorflow_quietly()
    import keras
    import tensorflow as tf

    return tf, keras


def _pair(y, logits, what: str = "logits"):
    """Targets and logits as tensors of one float dtype; shapes, rank and (eagerly) target values checked."""
    y, logits = matching_float_pair(y, logits, what)
    if logits.shape.rank is not None and logits.shape.rank < 1:
        raise ValueError(f"{what} must have at least one axis (the labels), got a scalar")
    expect_values_between(y, 0.0, 1.0, TARGETS_IN_UNIT_INTERVAL)
    return y, logits


def normalized_rows(y_multi_hot):
    """Each multi-hot row divided by its number of labels, ``(batch, K)``; a row with no label stays 0."""
    tf, _ = _tf_keras()
    y = tf.convert_to_tensor(y_multi_hot)
    if not y.dtype.is_floating:
        y = tf.cast(y, tf.float32)
    return tf.math.divide_no_nan(y, tf.reduce_sum(y, axis=-1, keepdims=True))


def keras_normalized_crossentropy(y_multi_hot, logits):
    """Keras' categorical cross-entropy against the normalised rows (Mahajan et al. 2018), ``(batch,)``.

    ``loss_i = - sum_k t_ik log softmax(x_i)_k`` with ``t_i = y_i / sum_j y_ij``. Each target
    row sums to 1, so the gradient TensorFlow's kernel returns, ``softmax(x) - t``, is the true
    one. A row with no label has no distribution: Keras would give it loss 0 but gradient
    ``softmax(x)``, so the loss is multiplied by "has a label" (0 or 1) and that row's gradient is 0.
    """
    tf, keras = _tf_keras()
    y, x = _pair(y_multi_hot, logits)
    has_label = tf.cast(tf.reduce_sum(y, axis=-1) > 0, x.dtype)
    return has_label * keras.losses.categorical_crossentropy(normalized_rows(y), x, from_logits=True)


def keras_asymmetric_loss(y_true, logits, gamma_pos: float = 0.0, gamma_neg: float = 4.0, clip: float = 0.05):
    """Asymmetric loss (ASL, Ridnik et al. 2021) from two Keras focal losses, element-wise.

    With p = sigmoid(x) and p_m = max(p - clip, 0)::

        ASL = y * focal(1, p; gamma_pos) + (1 - y) * focal(0, p_m; gamma_neg)
            = - y (1 - p)^gamma_pos log p - (1 - y) p_m^gamma_neg log(1 - p_m)

    ``keras.losses.binary_focal_crossentropy`` works on probabilities kept in
    [1e-7, 1 - 1e-7], so each log is at most about 16.1 in size: a positive's loss
    flattens at 16.1 once its logit is below about -16 (with ``clip = 0`` a negative's
    likewise above +16, and float32's 1 - p loses digits before that). No training
    run of the lessons goes there.
    A power of 0 uses ``keras.losses.binary_crossentropy`` instead (same value; Keras'
    focal factor ``(1 - p_t) ** 0`` has a NaN gradient where ``p_t`` rounds to 1).
    Returns a tensor shaped like ``logits``.
    """
    tf, keras = _tf_keras()
    y, x = _pair(y_true, logits)
    if gamma_pos < 0 or gamma_neg < 0:
        raise ValueError(f"gamma_pos and gamma_neg must be >= 0, got {gamma_pos} and {gamma_neg}")
    clip = 0.0 if clip is None else float(clip)
    if not 0.0 <= clip < 1.0:
        raise ValueError(f"clip is a probability margin in [0, 1), got {clip}")
    p = tf.sigmoid(x)
    p_m = tf.maximum(p - clip, 0.0)

    def focal(target, probability, gamma):  # Keras averages over the last axis: give it one entry
        target = tf.fill(tf.shape(probability), tf.constant(target, x.dtype))[..., None]
        if gamma == 0:  # plain BCE: Keras' focal factor would be 0 ** 0, whose gradient is NaN
            loss = keras.losses.binary_crossentropy(target, probability[..., None])
        else:
            loss = keras.losses.binary_focal_crossentropy(target, probability[..., None], gamma=gamma)
        return tf.cast(loss, x.dtype)

    return y * focal(1.0, p, gamma_pos) + (1.0 - y) * focal(0.0, p_m, gamma_neg)


def keras_zlpr_loss(y_multi_hot, scores):
    """Multi-label categorical cross-entropy (ZLPR, Su et al. 2022) as two Keras softmax cross-entropies.

    ``log(1 + sum_{neg} e^{s_k}) = CE(class 0, [0, s_negatives])``: a softmax over a zero score
    and the negatives' scores, where the zero score is the right answer; likewise
    ``log(1 + sum_{pos} e^{-s_k}) = CE(class 0, [0, -s_positives])``. So ZLPR asks the zero
    score to beat every negative and every positive to beat the zero score: the decision
    threshold is score 0. Labels are split at 0.5 (0/1 targets). Shape ``(batch,)``.
    """
    tf, keras = _tf_keras()
    y, s = _pair(y_multi_hot, scores, "scores")
    positive = y > 0.5
    masked = tf.constant(_MASKED_SCORE, s.dtype)
    zero = tf.zeros_like(s[..., :1])
    zero_wins = tf.one_hot(tf.zeros(tf.shape(s)[:-1], tf.int32), tf.shape(s)[-1] + 1, dtype=s.dtype)

    def zero_against(values):
        return keras.losses.categorical_crossentropy(
            zero_wins, tf.concat([zero, values], axis=-1), from_logits=True
        )

    negatives_below_zero = zero_against(tf.where(positive, masked, s))
    positives_above_zero = zero_against(tf.where(positive, -s, masked))
    return negatives_below_zero + positives_above_zero


def keras_symmetric_kl(y_true, y_pred):
    """The forum thread's abs-KL as two Keras KL divergences: ``KL(P||Q) + KL(Q||P)``, ``(batch,)``.

    ``sum_k |(P_k - Q_k) log(P_k / Q_k)| = sum_k (P_k - Q_k) log(P_k / Q_k)`` (the two factors
    always share a sign) ``= KL(P||Q) + KL(Q||P)``. ``keras.losses.kl_divergence`` clips both
    arguments to [1e-7, 1]: equal to abs-KL with epsilon 1e-7 for values up to 1
    (probabilities and 0/1 labels), flat (gradient 0) above 1.
    """
    _, keras = _tf_keras()
    p, q = matching_float_pair(y_true, y_pred, "y_pred")
    for values in (p, q):
        expect_values_between(values, 0.0, np.inf, "abs-KL compares non-negative (pseudo-)distributions: "
                              "y_true and y_pred must be >= 0")  # fmt: skip
    return keras.losses.kl_divergence(p, q) + keras.losses.kl_divergence(q, p)
