"""Checks for exercise 08: the loss of a multi-output multi-class model (one softmax head per output).

Graded function:

* ``multi_head_sparse_crossentropy(labels, logits, head_weights=None)`` with integer ``labels``
  ``(batch, heads)`` and ``logits`` ``(batch, heads, classes)``; returns ``(batch,)``: per example the
  sum over heads of ``head_weight * sparse categorical cross-entropy``, i.e. what a Keras model with
  one output per head, ``loss_weights=head_weights``, minimises (before averaging over the batch).
  Labels outside ``0..classes-1`` raise ``ValueError``. Built from basic ops: the check
  "built from basic ops" refuses the library's (sparse) softmax cross-entropies and Keras.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from losslab.exercises.checks import Check, Mistake, expect_raises
from losslab.exercises.from_scratch import from_scratch_checks
from losslab.exercises.tensor_checks import (
    call_loss,
    charged_elsewhere,
    expect_finite,
    expect_gradient,
)
from losslab.exercises.tensor_checks import (
    expect_reference as _expect_reference,
)

__all__ = ["CHECKS", "EXERCISE", "LIBRARY_VERSIONS"]

# References here are other formulas (softplus, Keras' kernels): equal to 1e-5 relative or 1e-6 absolute.
expect_reference = partial(_expect_reference, rtol=1e-5, atol=1e-6)

EXERCISE = "08_multi_output_multiclass"

# The library's losses this exercise builds (refused by attribute, e.g. keras.losses.sparse_categorical_crossentropy).
LIBRARY_VERSIONS = frozenset(
    {
        "sparse_softmax_cross_entropy_with_logits",
        "softmax_cross_entropy_with_logits",
        "sparse_categorical_crossentropy",
        "SparseCategoricalCrossentropy",
        "categorical_crossentropy",
        "CategoricalCrossentropy",
    }
)
_SAMPLE_CALLS = {"multi_head_sparse_crossentropy": lambda fn: fn([[0, 1]], [[[1.0, -2.0], [0.5, 0.1]]])}


def _problem(seed: int, batch: int = 5, heads: int = 4, classes: int = 11):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, size=(batch, heads))
    logits = (rng.normal(size=(batch, heads, classes)) * 2).astype(np.float32)
    return labels, logits


def _np_log_softmax(x, axis=-1):
    x = np.asarray(x, np.float64)
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def _per_head(labels, logits, axis=-1):
    log_probs = _np_log_softmax(logits, axis)
    return -np.take_along_axis(log_probs, np.asarray(labels)[..., None], axis=-1)[..., 0]


def _reference(labels, logits, head_weights=None):
    import keras

    per_head = np.stack(
        [
            np.asarray(
                keras.losses.sparse_categorical_crossentropy(labels[:, h], logits[:, h], from_logits=True)
            )
            for h in range(labels.shape[1])
        ],
        axis=1,
    )
    weights = np.ones(labels.shape[1]) if head_weights is None else np.asarray(head_weights)
    return (per_head * weights).sum(axis=1)


def _mistakes(labels, logits, head_weights=None):
    weights = np.ones(labels.shape[1]) if head_weights is None else np.asarray(head_weights)
    right = _per_head(labels, logits)
    out = [
        (
            (right * weights).mean(axis=1),
            "Keras adds the losses of its outputs: sum over heads, not the mean",
        ),
        (
            (_per_head(labels, logits, axis=1) * weights).sum(axis=1),
            "you normalised over the heads axis (axis=1); each head's softmax runs over its classes (axis=-1)",
        ),
    ]
    if head_weights is not None:  # the formula's mistakes are charged without weights; ignoring them here
        out = charged_elsewhere(out)
        out.append((right.sum(axis=1), "head_weights are ignored: multiply each head's loss by its weight"))
    return out


def _matches_keras(fn):
    labels, logits = _problem(1)
    got = call_loss(fn, labels, logits, what="multi_head_sparse_crossentropy(labels, logits)")
    if got.shape == (5, 4):
        raise Mistake("you return one loss per example *and head*; sum over the heads to get one per example")
    expect_reference(got, _reference(labels, logits), "multi_head_sparse_crossentropy(labels, logits)",
                _mistakes(labels, logits))  # fmt: skip


def _one_head(fn):
    labels, logits = _problem(2, heads=1, classes=3)
    got = call_loss(fn, labels, logits, what="multi_head_sparse_crossentropy with one head")
    expect_reference(got, _reference(labels, logits), "with a single head your loss (it should be sparse CCE)",
                _mistakes(labels, logits))  # fmt: skip


def _weights(fn):
    labels, logits = _problem(3)
    w = np.array([1.0, 0.5, 2.0, 0.0], np.float32)
    got = call_loss(
        fn, labels, logits, head_weights=w, what="multi_head_sparse_crossentropy(..., head_weights)"
    )
    expect_reference(
        got, _reference(labels, logits, w), "with head_weights [1, 0.5, 2, 0]", _mistakes(labels, logits, w)
    )


def _large_logits(fn):
    labels = np.array([[0, 2], [1, 1]])
    logits = np.array(
        [[[1e4, -1e4, 0.0], [1e4, -1e4, 0.0]], [[0.0, 1e4, -1e4], [1e4, -1e4, 0.0]]], np.float32
    )
    got = call_loss(fn, labels, logits, what="multi_head_sparse_crossentropy at logits of +-1e4")
    expect_finite(got, "your loss at logits of +-1e4",
                  "you probably take log(softmax(x)); use x - logsumexp(x) (tf.reduce_logsumexp)")  # fmt: skip
    expect_reference(got, np.array([1e4, 2e4]), "your loss at logits of +-1e4",
                     charged_elsewhere(_mistakes(labels, logits)))  # fmt: skip


def _gradient(fn):
    labels, logits = _problem(4, batch=3, heads=2, classes=4)
    expect_gradient(lambda z: fn(labels, z, head_weights=[1.0, 0.5]), logits.astype(np.float64),
                    "gradient of multi_head_sparse_crossentropy", "Use TensorFlow ops only.")  # fmt: skip


def _bad_labels(fn):
    _, logits = _problem(5, batch=2, heads=2, classes=3)
    expect_raises(lambda: fn(np.array([[0, 3], [1, 2]]), logits), ValueError,
                  "label 3 with 3 classes (valid: 0, 1, 2)")  # fmt: skip
    expect_raises(lambda: fn(np.array([[0, -1], [1, 2]]), logits), ValueError, "a negative label")
    expect_raises(lambda: fn(np.array([[0, 1, 2], [1, 2, 0]]), logits), ValueError,
                  "labels (2, 3) for logits with 2 heads")  # fmt: skip


def _batch_of_one_and_float_labels(fn):
    labels, logits = _problem(6, batch=1)
    got = call_loss(
        fn, labels.astype(np.float32), logits, what="multi_head_sparse_crossentropy, float labels"
    )
    expect_reference(
        got,
        _reference(labels, logits),
        "a batch of one with labels given as floats (3.0 means class 3)",
        charged_elsewhere(_mistakes(labels, logits)),
    )


CHECKS = [
    Check("multi_head_sparse_crossentropy", "sum over heads of Keras' sparse CCE", _matches_keras),
    Check("multi_head_sparse_crossentropy", "one head gives plain sparse CCE", _one_head),
    Check("multi_head_sparse_crossentropy", "head_weights scale each head (Keras loss_weights)", _weights),
    Check("multi_head_sparse_crossentropy", "finite and exact at logits of +-1e4", _large_logits),
    Check("multi_head_sparse_crossentropy", "refuses labels out of range or of the wrong shape", _bad_labels),
    Check("multi_head_sparse_crossentropy", "gradient matches finite differences", _gradient),
    Check(
        "multi_head_sparse_crossentropy",
        "a batch of one, labels as floats",
        _batch_of_one_and_float_labels,
        self_check=False,
    ),
]
CHECKS += from_scratch_checks(_SAMPLE_CALLS, LIBRARY_VERSIONS)
