"""The losses of lesson 07's partition-function model, and a Keras wrapper for element-wise losses.

The graded losses of exercises 06-08 are *not* here: the lessons use the same losses written
with Keras' built-ins (:mod:`losslab.modeling.keras_losses`), the exercises ask for them from
basic ops. (Losses with a built-in are not repeated either: use
``tf.nn.sigmoid_cross_entropy_with_logits``, ``tf.nn.weighted_cross_entropy_with_logits``
and ``keras.losses.BinaryFocalCrossentropy``.)

Conventions, for every function:

* ``y`` (targets) is float-convertible, shape ``(batch, K)``; values in [0, 1].
* The partition-function model of lesson 07 packs its two heads into one output
  ``(batch, K + 1)``: K distribution logits, then one count column. The
  ``partition_*`` functions split it with :func:`split_partition_outputs`.
* Everything is written in TensorFlow ops, so ``GradientTape`` differentiates it.
* Losses return one value per example, ``(batch,)``; rows with no positive label are allowed.
"""

from __future__ import annotations

import sys

from losslab.environment.runtime import import_tensorflow_quietly
from losslab.modeling.keras_losses import keras_normalized_crossentropy, normalized_rows
from losslab.modeling.tensors import TARGETS_IN_UNIT_INTERVAL, expect_values_between, matching_float_pair

__all__ = [
    "COUNT_FLOOR",
    "mean_over_labels",
    "partition_abs_kl_loss",
    "partition_kl_mse_loss",
    "partition_poisson_loss",
    "partition_scores",
    "split_partition_outputs",
]

COUNT_FLOOR = 0.01  # the seed's clip of the count head: Z = max(0.01, output)


def _tf():
    """TensorFlow, imported quietly on first use (later calls may run inside a traced graph)."""
    if "tensorflow" not in sys.modules:
        import_tensorflow_quietly()
    import tensorflow as tf

    return tf


def _pair(y, logits, what: str = "logits"):
    """Targets and logits as tensors of one float dtype; shapes and (eagerly) target values checked."""
    y, logits = matching_float_pair(y, logits, what)
    expect_values_between(y, 0.0, 1.0, TARGETS_IN_UNIT_INTERVAL)
    return y, logits


def mean_over_labels(elementwise_loss, **kwargs):
    """Turn an element-wise loss ``f(y, logits, **kwargs)`` into a Keras loss (mean over the last axis).

    This is what Keras' own ``BinaryCrossentropy`` does: one number per example,
    the average over its K labels. The returned function has a readable ``__name__``.
    """
    tf = _tf()

    def loss(y_true, logits):
        return tf.reduce_mean(elementwise_loss(y_true, logits, **kwargs), axis=-1)

    loss.__name__ = getattr(elementwise_loss, "__name__", "loss")
    return loss


# --- the partition-function model (lesson 07) ---------------------------------


def split_partition_outputs(outputs):
    """Split ``(batch, K + 1)`` outputs into distribution logits ``(batch, K)`` and the raw count ``(batch,)``."""
    tf = _tf()
    outputs = tf.convert_to_tensor(outputs)
    if outputs.shape.rank != 2 or (outputs.shape[-1] is not None and outputs.shape[-1] < 2):
        raise ValueError(
            f"partition outputs must be (batch, K + 1) with K >= 1 (K logits, then the count), "
            f"got shape {tuple(outputs.shape)}"
        )
    return outputs[:, :-1], outputs[:, -1]


def _kl_to_normalized(y, logits):
    """KL(y / sum y || softmax(logits)) per row; 0 for rows with no label.

    KL = cross-entropy - entropy of the target row; the cross-entropy is Keras' (see
    :func:`losslab.modeling.keras_losses.keras_normalized_crossentropy`).
    """
    tf = _tf()
    target = normalized_rows(y)
    entropy_part = tf.reduce_sum(tf.math.multiply_no_nan(tf.math.log(target), target), axis=-1)
    return entropy_part + keras_normalized_crossentropy(y, logits)


def partition_kl_mse_loss(y_multi_hot, outputs, count_floor: float = COUNT_FLOOR):
    """The seed's factorised loss: KL on the distribution head + squared error on the count head.

    ``y = Z * P``: P = softmax(logits) models *which* labels, Z = max(count_floor,
    raw count) models *how many*. Loss per example (``(batch,)``)::

        KL(y / sum y || P) + (Z - sum y)^2

    The clip keeps Z positive, but where the raw count is below the floor its
    gradient is 0 (a count head stuck below 0.01 cannot recover by this term).
    """
    tf = _tf()
    logits, raw = split_partition_outputs(outputs)
    y, logits = _pair(y_multi_hot, logits)
    count = tf.reduce_sum(y, axis=-1)
    z = tf.maximum(raw, count_floor)
    return _kl_to_normalized(y, logits) + tf.square(z - count)


def partition_poisson_loss(y_multi_hot, outputs):
    """Factorised loss with a Poisson count head: KL on the distribution + Poisson NLL of the count.

    The count column is read as log(rate), so rate = exp(column) > 0 needs no clip;
    the count term is ``tf.nn.log_poisson_loss(count, log_rate)`` = rate - count * log_rate
    (the negative log-likelihood up to the constant log(count!)). Shape ``(batch,)``.
    """
    tf = _tf()
    logits, log_rate = split_partition_outputs(outputs)
    y, logits = _pair(y_multi_hot, logits)
    count = tf.reduce_sum(y, axis=-1)
    return _kl_to_normalized(y, logits) + tf.nn.log_poisson_loss(count, log_rate)


def partition_abs_kl_loss(y_multi_hot, outputs, count_floor: float = COUNT_FLOOR, epsilon: float = 1e-7):
    """The seed's "loss on the product": abs-KL between y and Z * softmax(logits), Z clipped at count_floor.

    abs-KL(P, Q) = sum_k (P_k - Q_k) log(P_k / Q_k), both clipped below at ``epsilon``
    (the abs changes nothing: the two factors share a sign). Unlike Keras' KL divergence
    nothing is clipped above 1, where Z * P may go. Shape ``(batch,)``.
    """
    tf = _tf()
    logits, raw = split_partition_outputs(outputs)
    y, logits = _pair(y_multi_hot, logits)
    z = tf.maximum(raw, count_floor)
    p = tf.maximum(y, epsilon)
    q = tf.maximum(z[:, None] * tf.nn.softmax(logits, axis=-1), epsilon)
    return tf.reduce_sum((p - q) * tf.math.log(p / q), axis=-1)


def partition_scores(outputs, count_head: str = "linear"):
    """Decode partition outputs into per-label scores ``Z * P`` ``(batch, K)`` and counts ``Z`` ``(batch,)``.

    ``count_head`` is ``"linear"`` (Z = max(0.01, column)) or ``"poisson"`` (Z = exp(column)).
    Returns NumPy float arrays.
    """
    tf = _tf()
    logits, raw = split_partition_outputs(outputs)
    if count_head == "linear":
        z = tf.maximum(raw, COUNT_FLOOR)
    elif count_head == "poisson":
        z = tf.exp(raw)
    else:
        raise ValueError(f"count_head must be 'linear' or 'poisson', got {count_head!r}")
    probs = tf.nn.softmax(logits, axis=-1)
    return (z[:, None] * probs).numpy(), z.numpy()
