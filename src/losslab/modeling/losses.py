"""Reference implementations of the multi-label losses that TensorFlow and Keras do not ship.

Lessons 06 and 07 train with these; exercises 06 and 07 ask learners to write
them from scratch, and the check suites compare their work with these.
(Losses that *do* have a built-in are not repeated here: use
``tf.nn.sigmoid_cross_entropy_with_logits``, ``tf.nn.weighted_cross_entropy_with_logits``
and ``keras.losses.BinaryFocalCrossentropy``.)

Conventions, for every function:

* ``y`` (targets) is float-convertible, shape ``(batch, K)`` (element-wise losses
  accept any shape equal to the logits' shape); values in [0, 1].
* ``logits`` / ``scores`` are raw model outputs, float32 or float64, same shape.
* Everything is written in TensorFlow ops, so ``GradientTape`` differentiates it,
  and is finite for every finite input (logits of +-1e4 included).
* Element-wise losses return the logits' shape; per-example losses return ``(batch,)``.
* Rows with no positive label are allowed everywhere.

The partition-function model of lesson 07 packs its two heads into one output
``(batch, K + 1)``: K distribution logits, then one count column. The
``partition_*`` functions split it with :func:`split_partition_outputs`.
"""

from __future__ import annotations

import sys

import numpy as np

from losslab.environment.runtime import import_tensorflow_quietly

__all__ = [
    "COUNT_FLOOR",
    "abs_kl_divergence",
    "asymmetric_loss",
    "mean_over_labels",
    "multilabel_categorical_crossentropy",
    "normalized_softmax_crossentropy",
    "partition_abs_kl_loss",
    "partition_kl_mse_loss",
    "partition_poisson_loss",
    "partition_scores",
    "sigmoid_abs_kl_loss",
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
    """Convert targets and logits to tensors of one float dtype; validate shapes and (eagerly) values."""
    tf = _tf()
    logits = tf.convert_to_tensor(logits)
    if not logits.dtype.is_floating:
        logits = tf.cast(logits, tf.float32)
    y = tf.cast(tf.convert_to_tensor(y), logits.dtype)
    if y.shape.rank is not None and logits.shape.rank is not None and y.shape != logits.shape:
        if y.shape.is_fully_defined() and logits.shape.is_fully_defined():
            raise ValueError(
                f"targets have shape {tuple(y.shape)} but {what} have shape {tuple(logits.shape)}: "
                "they must match (one target per output; reshape (B,) targets to (B, 1) or vice versa)"
            )
    if tf.executing_eagerly():
        values = y.numpy()
        if values.size and (np.nanmin(values) < 0 or np.nanmax(values) > 1):
            raise ValueError(
                "targets must lie in [0, 1] (0/1 labels or soft labels); "
                f"got values from {np.nanmin(values)} to {np.nanmax(values)}"
            )
    return y, logits


def _per_example_rank(x, what: str) -> None:
    if x.shape.rank is not None and x.shape.rank < 1:
        raise ValueError(f"{what} must have at least one axis (the labels), got a scalar")


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


# --- imbalance (lesson 06) -----------------------------------------------------


def asymmetric_loss(y_true, logits, gamma_pos: float = 0.0, gamma_neg: float = 4.0, clip: float = 0.05):
    """Asymmetric loss (ASL, Ridnik et al. 2021), element-wise, from logits.

    With p = sigmoid(x) and the shifted probability p_m = max(p - clip, 0)::

        loss = - y (1 - p)^gamma_pos log p  -  (1 - y) p_m^gamma_neg log(1 - p_m)

    Negatives are down-weighted twice: by the focusing power ``gamma_neg`` and by
    the margin ``clip``, which sets the loss (and gradient) of easy negatives with
    p <= clip to exactly 0. ``gamma_pos = gamma_neg = clip = 0`` gives plain BCE;
    ``gamma_pos = gamma_neg = gamma, clip = 0`` gives focal loss without alpha.

    Unlike the authors' PyTorch code (which clamps p at 1e-8 before the log) this
    uses log p = -softplus(-x), exact for every logit; gradients flow through the
    focusing weights too (as in Keras' focal loss).

    Returns a tensor shaped like ``logits``.
    """
    tf = _tf()
    y, x = _pair(y_true, logits)
    if gamma_pos < 0 or gamma_neg < 0:
        raise ValueError(f"gamma_pos and gamma_neg must be >= 0, got {gamma_pos} and {gamma_neg}")
    clip = 0.0 if clip is None else float(clip)
    if not 0.0 <= clip < 1.0:
        raise ValueError(f"clip is a probability margin in [0, 1), got {clip}")
    p = tf.sigmoid(x)
    one_minus_p = tf.sigmoid(-x)  # exact even where p rounds to 1
    log_p = -tf.nn.softplus(-x)
    if clip > 0:
        p_m = tf.maximum(p - clip, 0.0)
        log_one_minus_pm = tf.math.log(tf.minimum(one_minus_p + clip, 1.0))  # 1 - p_m >= clip: finite
    else:
        p_m = p
        log_one_minus_pm = -tf.nn.softplus(x)
    pos = tf.pow(one_minus_p, gamma_pos) * log_p if gamma_pos else log_p
    neg = tf.pow(p_m, gamma_neg) * log_one_minus_pm if gamma_neg else log_one_minus_pm
    return -(y * pos + (1.0 - y) * neg)


# --- softmax for multi-label and other alternatives (lesson 07) ---------------


def normalized_softmax_crossentropy(y_multi_hot, logits):
    """Softmax cross-entropy against the multi-hot row divided by its sum (Mahajan et al. 2018).

    ``loss_i = - sum_k (y_ik / sum_j y_ij) log softmax(x_i)_k``, shape ``(batch,)``.
    A row with no positive label has no target distribution: its loss and its
    gradient are 0 (``tf.nn.softmax_cross_entropy_with_logits`` on the raw row
    also gives loss 0 there, but gradient softmax(x), which pushes every logit down).
    """
    tf = _tf()
    y, x = _pair(y_multi_hot, logits)
    _per_example_rank(x, "logits")
    total = tf.reduce_sum(y, axis=-1, keepdims=True)
    target = tf.math.divide_no_nan(y, total)
    return -tf.reduce_sum(target * tf.nn.log_softmax(x, axis=-1), axis=-1)


def _masked_logsumexp_with_zero(values, weights):
    """log(1 + sum_k w_k exp(v_k)) over the last axis, stable, with w_k = 0 terms dropped exactly."""
    tf = _tf()
    safe_w = tf.where(weights > 0, weights, tf.ones_like(weights))
    terms = tf.where(
        weights > 0,
        values + tf.math.log(safe_w),
        tf.fill(tf.shape(values), tf.constant(-np.inf, values.dtype)),
    )
    zero = tf.zeros_like(terms[..., :1])
    return tf.reduce_logsumexp(tf.concat([terms, zero], axis=-1), axis=-1)


def multilabel_categorical_crossentropy(y_multi_hot, scores):
    """Multi-label categorical cross-entropy (ZLPR, Su et al. 2022), per example, shape ``(batch,)``.

    ``loss = log(1 + sum_{k negative} e^{s_k}) + log(1 + sum_{k positive} e^{-s_k})``.
    It is a softmax-style loss that ranks every positive score above 0 and every
    negative score below 0, so the decision threshold is fixed at score 0. For soft
    labels the sums are weighted by ``1 - y`` and ``y`` (equal to ZLPR for 0/1).
    """
    y, s = _pair(y_multi_hot, scores, "scores")
    _per_example_rank(s, "scores")
    return _masked_logsumexp_with_zero(s, 1.0 - y) + _masked_logsumexp_with_zero(-s, y)


def abs_kl_divergence(y_true, y_pred, epsilon: float = 1e-7):
    """The seed's "modified KL": ``sum_k |(P_k - Q_k) log(P_k / Q_k)|`` with both clipped below at epsilon.

    ``y_true`` and ``y_pred`` are non-negative pseudo-distributions (need not sum
    to 1), shape ``(batch, K)``; returns ``(batch,)``. Symmetric in P and Q, zero
    iff P == Q (after clipping). The clip keeps log finite where a target is 0;
    its price is a zero gradient wherever a prediction is below ``epsilon``.
    """
    tf = _tf()
    q = tf.convert_to_tensor(y_pred)
    if not q.dtype.is_floating:
        q = tf.cast(q, tf.float32)
    p = tf.cast(tf.convert_to_tensor(y_true), q.dtype)
    if p.shape.is_fully_defined() and q.shape.is_fully_defined() and p.shape != q.shape:
        raise ValueError(
            f"y_true has shape {tuple(p.shape)} but y_pred has {tuple(q.shape)}: they must match"
        )
    _per_example_rank(q, "y_pred")
    if tf.executing_eagerly() and (np.min(p.numpy(), initial=0) < 0 or np.min(q.numpy(), initial=0) < 0):
        raise ValueError(
            "abs-KL compares non-negative (pseudo-)distributions: y_true and y_pred must be >= 0"
        )
    p = tf.maximum(p, epsilon)
    q = tf.maximum(q, epsilon)
    return tf.reduce_sum(tf.abs((p - q) * tf.math.log(p / q)), axis=-1)


def sigmoid_abs_kl_loss(y_multi_hot, logits, epsilon: float = 1e-7):
    """The seed's abs-KL used as a training loss on sigmoid outputs: ``abs_kl(y, sigmoid(logits))``, ``(batch,)``."""
    tf = _tf()
    y, x = _pair(y_multi_hot, logits)
    return abs_kl_divergence(y, tf.sigmoid(x), epsilon)


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
    """KL(y / sum y || softmax(logits)) per row; 0 for rows with no label."""
    tf = _tf()
    target = tf.math.divide_no_nan(y, tf.reduce_sum(y, axis=-1, keepdims=True))
    entropy_part = tf.reduce_sum(tf.math.multiply_no_nan(tf.math.log(target), target), axis=-1)
    return entropy_part - tf.reduce_sum(target * tf.nn.log_softmax(logits, axis=-1), axis=-1)


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
    """The seed's "loss on the product": abs-KL between y and Z * softmax(logits), Z clipped at count_floor."""
    tf = _tf()
    logits, raw = split_partition_outputs(outputs)
    y, logits = _pair(y_multi_hot, logits)
    z = tf.maximum(raw, count_floor)
    return abs_kl_divergence(y, z[:, None] * tf.nn.softmax(logits, axis=-1), epsilon)


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
