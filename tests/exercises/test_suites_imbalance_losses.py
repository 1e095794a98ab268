"""Suite of exercise 06: typical mistakes fail with the right message."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from losslab.exercises.checks import run_checks
from losslab.exercises.registry import suite_for_exercise
from losslab.exercises.suites.imbalance_losses import EXERCISE

SUITE = suite_for_exercise(EXERCISE)


def test_every_function_has_self_and_grader_checks():
    targets = {c.target for c in SUITE}
    assert targets == {"weighted_binary_crossentropy", "binary_focal_crossentropy", "asymmetric_loss"}
    assert any(not c.self_check for c in SUITE)


def _t(y, x):
    x = tf.convert_to_tensor(x)
    x = x if x.dtype.is_floating else tf.cast(x, tf.float32)
    return tf.cast(y, x.dtype), x


def naive_weighted(y_true, logits, pos_weight):
    y, x = _t(y_true, logits)
    p = tf.sigmoid(x)
    return -(pos_weight * y * tf.math.log(p) + (1 - y) * tf.math.log(1 - p))


def weighted_on_negatives(y_true, logits, pos_weight):
    y, x = _t(y_true, logits)
    return y * tf.nn.softplus(-x) + pos_weight * (1 - y) * tf.nn.softplus(x)


def weighted_averaged(y_true, logits, pos_weight):
    y, x = _t(y_true, logits)
    return tf.reduce_mean(tf.nn.weighted_cross_entropy_with_logits(y, x, pos_weight), axis=-1)


def weighted_numpy(y_true, logits, pos_weight):
    y, x = np.asarray(y_true, np.float64), np.asarray(logits, np.float64)
    return pos_weight * y * np.logaddexp(0, -x) + (1 - y) * np.logaddexp(0, x)


def weighted_float32(y_true, logits, pos_weight):
    x = tf.cast(logits, tf.float32)
    y = tf.cast(y_true, tf.float32)
    return tf.nn.weighted_cross_entropy_with_logits(y, x, pos_weight)


def focal_pt_power(y_true, logits, gamma=2.0, alpha=None):
    y, x = _t(y_true, logits)
    pt = y * tf.sigmoid(x) + (1 - y) * tf.sigmoid(-x)
    return pt**gamma * tf.nn.sigmoid_cross_entropy_with_logits(y, x)


def focal_alpha_swapped(y_true, logits, gamma=2.0, alpha=None):
    y, x = _t(y_true, logits)
    one_minus_pt = y * tf.sigmoid(-x) + (1 - y) * tf.sigmoid(x)
    loss = one_minus_pt**gamma * tf.nn.sigmoid_cross_entropy_with_logits(y, x)
    return loss if alpha is None else (y * (1 - alpha) + (1 - y) * alpha) * loss


def focal_keras_clipped(y_true, logits, gamma=2.0, alpha=None):
    y, x = _t(y_true, logits)
    p = tf.clip_by_value(tf.sigmoid(x), 1e-7, 1 - 1e-7)  # as Keras does on probabilities
    bce = -(y * tf.math.log(p) + (1 - y) * tf.math.log(1 - p))
    return (y * (1 - p) + (1 - y) * p) ** gamma * bce


def asl_no_clip(y_true, logits, gamma_pos=0.0, gamma_neg=4.0, clip=0.05):
    y, x = _t(y_true, logits)
    p = tf.sigmoid(x)
    return -(y * (1 - p) ** gamma_pos * -tf.nn.softplus(-x) + (1 - y) * p**gamma_neg * -tf.nn.softplus(x))


def asl_swapped(y_true, logits, gamma_pos=0.0, gamma_neg=4.0, clip=0.05):
    y, x = _t(y_true, logits)
    p = tf.sigmoid(x)
    pm = tf.maximum(p - clip, 0.0)
    log_1m_pm = tf.math.log(tf.minimum(tf.sigmoid(-x) + clip, 1.0))
    if gamma_pos == gamma_neg:  # swapping equal powers changes nothing: the exact ASL
        log_1m_pm = log_1m_pm if clip else -tf.nn.softplus(x)
        return -(y * tf.sigmoid(-x) ** gamma_pos * -tf.nn.softplus(-x) + (1 - y) * pm**gamma_neg * log_1m_pm)
    return -(y * tf.sigmoid(-x) ** gamma_neg * -tf.nn.softplus(-x) + (1 - y) * pm**gamma_pos * log_1m_pm)


BROKEN = [
    ("weighted_binary_crossentropy", naive_weighted, "log(sigmoid(x))"),
    ("weighted_binary_crossentropy", weighted_on_negatives, "pos_weight multiplies the negative term"),
    ("weighted_binary_crossentropy", weighted_averaged, "you reduced"),
    ("weighted_binary_crossentropy", weighted_numpy, "not a tf.Tensor"),
    ("weighted_binary_crossentropy", weighted_float32, "compute in the dtype of the input"),
    ("binary_focal_crossentropy", focal_pt_power, "(1 - p_t)**gamma"),
    ("binary_focal_crossentropy", focal_alpha_swapped, "alpha and 1 - alpha are swapped"),
    ("binary_focal_crossentropy", focal_keras_clipped, "saturates near 16"),
    ("asymmetric_loss", asl_no_clip, "clip (probability margin) is missing"),
    ("asymmetric_loss", asl_swapped, "gamma_pos and gamma_neg are swapped"),
]


@pytest.mark.parametrize("target, broken, message", BROKEN, ids=[b[1].__name__ for b in BROKEN])
def test_typical_mistake_is_named(target, broken, message):
    results = run_checks([c for c in SUITE if c.target == target], {target: broken})
    assert not all(r.passed for r in results)
    messages = "\n".join(r.message for r in results if not r.passed)
    assert message in messages, messages


def test_stub_fails_every_check():
    def stub(*args, **kwargs):
        raise NotImplementedError

    namespace = {c.target: stub for c in SUITE}
    assert not any(r.passed for r in run_checks(SUITE, namespace))
