"""Suite of exercise 08: typical mistakes fail with the right message."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from losslab.exercises.checks import run_checks
from losslab.exercises.registry import suite_for_exercise
from losslab.exercises.suites.multi_output import EXERCISE

SUITE = suite_for_exercise(EXERCISE)


def _per_head(labels, logits, axis=-1):
    logits = tf.convert_to_tensor(logits)
    log_probs = tf.nn.log_softmax(logits, axis=axis)
    classes = logits.shape[-1]
    return -tf.reduce_sum(
        tf.one_hot(np.asarray(labels).astype(int), classes, dtype=logits.dtype) * log_probs, -1
    )


def _check_labels(labels, logits):
    values = np.asarray(labels)
    if values.shape != tuple(logits.shape[:2]) or values.min() < 0 or values.max() >= logits.shape[-1]:
        raise ValueError("bad labels")


def mean_over_heads(labels, logits, head_weights=None):
    logits = tf.convert_to_tensor(logits)
    _check_labels(labels, logits)
    w = 1.0 if head_weights is None else tf.cast(tf.reshape(head_weights, (1, -1)), logits.dtype)
    return tf.reduce_mean(_per_head(labels, logits) * w, axis=-1)


def softmax_over_heads(labels, logits, head_weights=None):
    logits = tf.convert_to_tensor(logits)
    _check_labels(labels, logits)
    w = 1.0 if head_weights is None else tf.cast(tf.reshape(head_weights, (1, -1)), logits.dtype)
    return tf.reduce_sum(_per_head(labels, logits, axis=1) * w, axis=-1)


def ignores_weights(labels, logits, head_weights=None):
    logits = tf.convert_to_tensor(logits)
    _check_labels(labels, logits)
    return tf.reduce_sum(_per_head(labels, logits), axis=-1)


def per_head_not_summed(labels, logits, head_weights=None):
    return _per_head(labels, logits)


def no_label_check(labels, logits, head_weights=None):
    logits = tf.convert_to_tensor(logits)
    w = 1.0 if head_weights is None else tf.cast(tf.reshape(head_weights, (1, -1)), logits.dtype)
    return tf.reduce_sum(_per_head(labels, logits) * w, axis=-1)


BROKEN = [
    (mean_over_heads, "sum over heads, not the mean"),
    (softmax_over_heads, "normalised over the heads axis"),
    (ignores_weights, "head_weights are ignored"),
    (per_head_not_summed, "one loss per example *and head*"),
    (no_label_check, "expected ValueError"),
]


@pytest.mark.parametrize("broken, message", BROKEN, ids=[b[0].__name__ for b in BROKEN])
def test_typical_mistake_is_named(broken, message):
    results = run_checks(SUITE, {"multi_head_sparse_crossentropy": broken})
    assert not all(r.passed for r in results)
    messages = "\n".join(r.message for r in results if not r.passed)
    assert message in messages, messages
