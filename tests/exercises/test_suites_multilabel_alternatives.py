"""Suite of exercise 07: typical mistakes fail with the right message."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from losslab.exercises.checks import run_checks
from losslab.exercises.registry import suite_for_exercise
from losslab.exercises.suites.multilabel_alternatives import EXERCISE

SUITE = suite_for_exercise(EXERCISE)


def test_targets_are_the_course_contract():
    assert {c.target for c in SUITE} == {
        "normalized_softmax_crossentropy",
        "multilabel_categorical_crossentropy",
        "abs_kl_divergence",
    }


def _t(y, x):
    x = tf.convert_to_tensor(x)
    x = x if x.dtype.is_floating else tf.cast(x, tf.float32)
    return tf.cast(y, x.dtype), x


def unnormalized(y_multi_hot, logits):
    y, x = _t(y_multi_hot, logits)
    return -tf.reduce_sum(y * tf.nn.log_softmax(x), axis=-1)


def log_of_softmax(y_multi_hot, logits):
    y, x = _t(y_multi_hot, logits)
    target = tf.math.divide_no_nan(y, tf.reduce_sum(y, axis=-1, keepdims=True))
    return -tf.reduce_sum(target * tf.math.log(tf.nn.softmax(x)), axis=-1)


def plain_division(y_multi_hot, logits):
    y, x = _t(y_multi_hot, logits)
    return -tf.reduce_sum(y / tf.reduce_sum(y, axis=-1, keepdims=True) * tf.nn.log_softmax(x), axis=-1)


def zlpr_multiplied_mask(y_multi_hot, scores):
    y, s = _t(y_multi_hot, scores)
    zero = tf.zeros_like(s[..., :1])
    neg = tf.reduce_logsumexp(tf.concat([s * (1 - y), zero], -1), -1)
    pos = tf.reduce_logsumexp(tf.concat([-s * y, zero], -1), -1)
    return neg + pos


def zlpr_no_zero(y_multi_hot, scores):
    y, s = _t(y_multi_hot, scores)
    big = tf.constant(-1e30, s.dtype)
    neg = tf.reduce_logsumexp(tf.where(y > 0.5, big, s), -1)
    pos = tf.reduce_logsumexp(tf.where(y > 0.5, -s, big), -1)
    return neg + pos


def abs_kl_unclipped(y_true, y_pred, epsilon=1e-7):
    q = tf.convert_to_tensor(y_pred, tf.float32)
    p = tf.cast(y_true, q.dtype)
    return tf.reduce_sum(tf.abs((p - q) * tf.math.log(p / q)), axis=-1)


def abs_kl_mean(y_true, y_pred, epsilon=1e-7):
    q = tf.maximum(tf.convert_to_tensor(y_pred, tf.float32), epsilon)
    p = tf.maximum(tf.cast(y_true, q.dtype), epsilon)
    return tf.reduce_mean(tf.abs((p - q) * tf.math.log(p / q)), axis=-1)


BROKEN = [
    ("normalized_softmax_crossentropy", unnormalized, "did not divide the target row"),
    ("normalized_softmax_crossentropy", log_of_softmax, "log_softmax(x) = x - logsumexp(x)"),
    ("normalized_softmax_crossentropy", plain_division, "divide_no_nan"),
    ("multilabel_categorical_crossentropy", zlpr_multiplied_mask, "multiplying the scores"),
    ("multilabel_categorical_crossentropy", zlpr_no_zero, "extra 0 score is missing"),
    ("abs_kl_divergence", abs_kl_unclipped, "clip both arguments"),
    ("abs_kl_divergence", abs_kl_mean, "not the mean"),
]


@pytest.mark.parametrize("target, broken, message", BROKEN, ids=[b[1].__name__ for b in BROKEN])
def test_typical_mistake_is_named(target, broken, message):
    results = run_checks([c for c in SUITE if c.target == target], {target: broken})
    assert not all(r.passed for r in results)
    messages = "\n".join(r.message for r in results if not r.passed)
    assert message in messages, messages


def test_solution_gradient_of_empty_row_is_zero(solution):
    y = np.zeros((1, 3))
    x = tf.Variable([[1.0, -2.0, 0.5]], dtype=tf.float64)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(solution["normalized_softmax_crossentropy"](y, x))
    assert np.allclose(tape.gradient(loss, x).numpy(), 0.0)
