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

from losslab.exercises.checks import Check
from losslab.exercises.from_scratch import from_scratch_checks
from losslab.exercises.suites.softmax_crossentropy.crossentropy import (
    _ce_basic,
    _ce_edges,
    _ce_gradient,
    _ce_stable,
    _ce_weights,
    _sparse_basic,
    _sparse_edges,
    _sparse_gradient,
    _sparse_stable,
)
from losslab.exercises.suites.softmax_crossentropy.gradient import (
    _grad_batch_of_one,
    _grad_finite_differences,
    _grad_one_hot,
    _grad_stable,
    _grad_weights,
)
from losslab.exercises.suites.softmax_crossentropy.inputs import (
    _DTYPE_CALLS,
    _SAMPLE_CALLS,
    LIBRARY_VERSIONS,
    _dtype_check,
    reference_ce_grad,
)
from losslab.exercises.suites.softmax_crossentropy.softmax import (
    _log_softmax_axis,
    _log_softmax_basic,
    _log_softmax_gradient,
    _log_softmax_stable,
    _softmax_axis,
    _softmax_basic,
    _softmax_edges,
    _softmax_gradient,
    _softmax_stable,
)

__all__ = ["CHECKS", "EXERCISE", "LIBRARY_VERSIONS", "reference_ce_grad"]

EXERCISE = "02_softmax_crossentropy"

CHECKS = [
    Check("softmax", "rows sum to 1 and match tf.nn.softmax", _softmax_basic),
    Check("softmax", "finite at logits of ±1e4 (stable)", _softmax_stable, points=2),
    Check("softmax", "honours the axis argument", _softmax_axis),
    Check("softmax", "gradient matches finite differences", _softmax_gradient, points=2),
    Check("softmax", "batch of one, 1-D input, integer input", _softmax_edges, self_check=False),
    Check("log_softmax", "matches tf.nn.log_softmax", _log_softmax_basic),
    Check("log_softmax", "finite at logits of ±1e4 (log-sum-exp)", _log_softmax_stable, points=2),
    Check("log_softmax", "honours the axis argument", _log_softmax_axis),
    Check("log_softmax", "gradient matches finite differences", _log_softmax_gradient, points=2),
    Check("categorical_crossentropy", "one loss per example, matches TensorFlow", _ce_basic),
    Check("categorical_crossentropy", "finite and right at logits of ±1e4", _ce_stable, points=2),
    Check("categorical_crossentropy", "soft, multi-hot and all-zero label rows", _ce_weights, points=2),
    Check(
        "categorical_crossentropy",
        "gradient right for any non-negative label rows",
        _ce_gradient,
        points=3,
    ),
    Check("categorical_crossentropy", "batch of one, integer labels", _ce_edges, self_check=False),
    Check("sparse_categorical_crossentropy", "matches TensorFlow's sparse CE", _sparse_basic),
    Check("sparse_categorical_crossentropy", "finite at logits of ±1e4", _sparse_stable, points=2),
    Check(
        "sparse_categorical_crossentropy", "gradient matches finite differences", _sparse_gradient, points=2
    ),
    Check(
        "sparse_categorical_crossentropy", "batch of one, int32/int64 labels", _sparse_edges, self_check=False
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
        "agrees with finite differences of the true loss",
        _grad_finite_differences,
        points=2,
    ),
    Check("categorical_crossentropy_grad", "finite at logits of ±1e4", _grad_stable, points=2),
    Check("categorical_crossentropy_grad", "batch of one", _grad_batch_of_one, self_check=False),
]
CHECKS += [
    Check(
        target,
        "keeps the dtype of the logits (float32, float64)",
        _dtype_check(_DTYPE_CALLS[target], lambda d, t=target: f"{t} of {d} logits"),
    )
    for target in _DTYPE_CALLS
]
CHECKS += from_scratch_checks(_SAMPLE_CALLS, LIBRARY_VERSIONS)
