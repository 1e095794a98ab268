"""Checks for exercise 06: losses for imbalanced multi-label data, element-wise, from logits.

Graded functions (names and signatures fixed by COURSE.md section 3):

* ``weighted_binary_crossentropy(y_true, logits, pos_weight)`` - like
  ``tf.nn.weighted_cross_entropy_with_logits``;
* ``binary_focal_crossentropy(y_true, logits, gamma=2.0, alpha=None)`` - like
  ``keras.losses.binary_focal_crossentropy(..., from_logits=True)`` per element, exact for
  large logits (Keras is too, on the TensorFlow backend, through its cached logits);
* ``asymmetric_loss(y_true, logits, gamma_pos=0.0, gamma_neg=4.0, clip=0.05)`` - the ASL formula,
  exact for every logit (the reference here is NumPy in float64).

All return a tensor shaped like ``logits``, built from basic ops: the check "built from basic ops"
refuses the library's BCE and focal losses, Keras, and the lesson's ``keras_asymmetric_loss``.
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

EXERCISE = "06_imbalance_losses"

# The library's losses this exercise builds (refused by attribute, e.g. tf.nn.weighted_cross_entropy_with_logits).
LIBRARY_VERSIONS = frozenset(
    {
        "sigmoid_cross_entropy_with_logits",
        "weighted_cross_entropy_with_logits",
        "binary_crossentropy",
        "BinaryCrossentropy",
        "binary_focal_crossentropy",
        "BinaryFocalCrossentropy",
    }
)
_SAMPLE_CALLS = {
    "weighted_binary_crossentropy": lambda fn: fn([[1.0, 0.0]], [[1.0, -2.0]], 2.0),
    "binary_focal_crossentropy": lambda fn: fn([[1.0, 0.0]], [[1.0, -2.0]]),
    "asymmetric_loss": lambda fn: fn([[1.0, 0.0]], [[1.0, -2.0]]),
}

LOG_SIGMOID_HINT = (
    "you probably take log(sigmoid(x)) or log(1 - sigmoid(x)) directly; sigmoid rounds to exactly 0 or 1 "
    "in float32, so use log sigmoid(x) = -softplus(-x) and log(1 - sigmoid(x)) = -softplus(x)"
)
CLIPPED_HINT = (
    "the loss saturates near 16 instead of growing with the logit: you clip probabilities "
    "(like Keras does at 1e-7); compute the log-probabilities from the logits instead"
)


def _tf():
    import tensorflow as tf

    return tf


def _np_sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def _np_bce(y, x):
    x = np.asarray(x, np.float64)
    return np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))


def _softplus(x):
    return np.logaddexp(0, x)


# --- weighted_binary_crossentropy -----------------------------------------------


def _weighted_reference(y, x, pos_weight):
    tf = _tf()
    return tf.nn.weighted_cross_entropy_with_logits(labels=y, logits=x, pos_weight=pos_weight).numpy()


def _weighted_mistakes(y, x, pw):
    x64 = np.asarray(x, np.float64)
    return [
        (
            (1 - y) * pw * _softplus(x64) + y * _softplus(-x64),
            "pos_weight multiplies the negative term; it should scale the positive term y*log(sigmoid(x))",
        ),
        (pw * _np_bce(y, x64), "you multiplied the whole BCE by pos_weight; weight only the positive term"),
        (_np_bce(y, x64), "pos_weight is ignored: the result is plain BCE"),
        (
            (1 - y) * _softplus(x64) + y * _softplus(-x64) / np.asarray(pw, np.float64),
            "you divided by pos_weight: a pos_weight above 1 should make missed positives cost MORE",
        ),
    ]


def _weighted_matches_tf(fn):
    y, x = sample_problem((4, 5), seed=1)
    got = call_loss(fn, y, x, 3.0, what="weighted_binary_crossentropy(y, x, 3.0)")
    expect_reference(got, _weighted_reference(y, x, 3.0), "weighted_binary_crossentropy(y, x, 3.0)",
                _weighted_mistakes(y, x, 3.0))  # fmt: skip


def _weighted_degenerate(fn):
    y, x = sample_problem((3, 4), seed=2)
    got = call_loss(fn, y, x, 1.0, what="weighted_binary_crossentropy(y, x, 1.0)")
    expect_reference(got, _np_bce(y, x), "with pos_weight=1 your loss (it should be plain BCE)",
                _weighted_mistakes(y, x, 1.0)[3:])  # fmt: skip


def _weighted_per_label(fn):
    y, x = sample_problem((4, 3), seed=3)
    pw = np.array([1.0, 5.0, 20.0], np.float32)
    got = call_loss(fn, y, x, pw, what="weighted_binary_crossentropy(y, x, [1, 5, 20])")
    expect_reference(got, _weighted_reference(y, x, pw), "with one pos_weight per label",
                charged_elsewhere(_weighted_mistakes(y, x, pw)))  # fmt: skip


def _weighted_large_logits(fn):
    y = np.array([[1, 0, 1, 0]], np.float32)
    x = np.array([[1e4, 1e4, -1e4, -1e4]], np.float32)
    got = call_loss(fn, y, x, 3.0, what="weighted_binary_crossentropy at logits of +-1e4")
    expect_finite(got, "your loss at logits of +-1e4", LOG_SIGMOID_HINT)
    if np.allclose(got, [[0, 15.94, 3 * 15.94, 0]], rtol=0.02):
        raise Mistake(CLIPPED_HINT)
    expect_reference(got, np.array([[0, 1e4, 3e4, 0]]), "your loss at logits of +-1e4",
                     charged_elsewhere(_weighted_mistakes(y, x, 3.0)))  # fmt: skip


def _weighted_gradient(fn):
    y, x = sample_problem((3, 4), seed=4, dtype=np.float64)
    y[1, 2] = 0.3  # a soft label too
    expect_gradient(lambda z: fn(y, z, 2.5), x, "gradient of weighted_binary_crossentropy",
                    "Use TensorFlow ops only (no NumPy, no .numpy()).")  # fmt: skip


def _weighted_soft_and_empty(fn):
    y = np.array([[0.2, 0.7, 1.0], [0.0, 0.0, 0.0]], np.float32)
    x = np.array([[0.5, -1.0, 2.0], [3.0, -3.0, 0.0]], np.float32)
    got = call_loss(fn, y, x, 4.0, what="weighted_binary_crossentropy on soft labels and an empty row")
    expect_reference(got, _weighted_reference(y, x, 4.0), "on soft labels and an all-zero row",
                charged_elsewhere(_weighted_mistakes(y, x, 4.0)))  # fmt: skip


# --- binary_focal_crossentropy --------------------------------------------------


def _focal_reference(y, x, gamma, alpha):
    import keras

    out = keras.losses.binary_focal_crossentropy(
        y[..., None], x[..., None], apply_class_balancing=alpha is not None,
        alpha=0.25 if alpha is None else alpha, gamma=gamma, from_logits=True,
    )  # fmt: skip
    return np.asarray(out)


def _focal_mistakes(y, x, gamma, alpha):
    """Known wrong focal losses: the focal factor's mistakes (weighted by alpha when given), then alpha's."""
    p = _np_sigmoid(np.asarray(x, np.float64))
    pt = y * p + (1 - y) * (1 - p)
    bce = _np_bce(y, x)
    weight = 1.0 if alpha is None else y * alpha + (1 - y) * (1 - alpha)
    mistakes = [
        (weight * pt**gamma * bce, "the focal factor is (1 - p_t)**gamma, not p_t**gamma: easy examples "
         "(p_t near 1) must be down-weighted"),
        (weight * (1 - p) ** gamma * bce, "you used (1 - p)**gamma for every element; use (1 - p_t)**gamma "
         "with p_t = p for positives and 1 - p for negatives"),
        (weight * bce, "gamma has no effect: multiply BCE by (1 - p_t)**gamma"),
    ]  # fmt: skip
    if alpha is not None:
        mistakes = charged_elsewhere(mistakes)  # the factor is charged by the check without alpha
        mistakes.append(
            (
                (y * (1 - alpha) + (1 - y) * alpha) * (1 - pt) ** gamma * bce,
                "alpha and 1 - alpha are swapped: alpha weights the positives (y = 1)",
            )  # fmt: skip
        )
        mistakes.append(
            ((1 - pt) ** gamma * bce, "alpha is ignored: multiply by alpha*y + (1 - alpha)*(1 - y)")
        )
    return mistakes


def _focal_matches_keras(fn):
    y, x = sample_problem((4, 5), seed=5, scale=2.0)
    got = call_loss(fn, y, x, what="binary_focal_crossentropy(y, x)")
    expect_reference(got, _focal_reference(y, x, 2.0, None), "binary_focal_crossentropy(y, x) (gamma=2)",
                _focal_mistakes(y, x, 2.0, None))  # fmt: skip


def _focal_alpha(fn):
    y, x = sample_problem((4, 5), seed=6, scale=2.0)
    got = call_loss(fn, y, x, gamma=1.5, alpha=0.25, what="binary_focal_crossentropy(y, x, 1.5, 0.25)")
    expect_reference(got, _focal_reference(y, x, 1.5, 0.25), "binary_focal_crossentropy(y, x, gamma=1.5, alpha=0.25)",
                _focal_mistakes(y, x, 1.5, 0.25))  # fmt: skip


def _focal_gamma_zero(fn):
    y, x = sample_problem((3, 4), seed=7)
    got = call_loss(fn, y, x, gamma=0.0, what="binary_focal_crossentropy(y, x, gamma=0)")
    expect_reference(got, _np_bce(y, x), "with gamma=0 your loss (it should be plain BCE)")


def _focal_large_logits(fn):
    y = np.array([[1, 0, 1, 0]], np.float32)
    x = np.array([[1e4, 1e4, -1e4, -1e4]], np.float32)
    got = call_loss(fn, y, x, what="binary_focal_crossentropy at logits of +-1e4")
    expect_finite(got, "your loss at logits of +-1e4", LOG_SIGMOID_HINT)
    if np.allclose(got, [[0, 15.94, 15.94, 0]], rtol=0.02, atol=1e-3):
        raise Mistake(CLIPPED_HINT)
    expect_reference(got, np.array([[0, 1e4, 1e4, 0]]), "your loss at logits of +-1e4",
                     charged_elsewhere(_focal_mistakes(y, x, 2.0, None)))  # fmt: skip


def _focal_gradient(fn):
    y, x = sample_problem((3, 4), seed=8, dtype=np.float64)
    expect_gradient(lambda z: fn(y, z, gamma=2.0, alpha=0.25), x, "gradient of binary_focal_crossentropy",
                    "Differentiate through the focal factor too; use TensorFlow ops only.")  # fmt: skip


# --- asymmetric_loss ------------------------------------------------------------


def _asl_reference(y, x, gamma_pos=0.0, gamma_neg=4.0, clip=0.05):
    y, x = np.asarray(y, np.float64), np.asarray(x, np.float64)
    log_p = -_softplus(-x)  # exact for every logit
    if clip:
        p_m = np.maximum(_np_sigmoid(x) - clip, 0.0)
        log_1m_pm = np.log(np.minimum(_np_sigmoid(-x) + clip, 1.0))  # 1 - p_m, never below clip
    else:
        p_m, log_1m_pm = _np_sigmoid(x), -_softplus(x)
    return -(y * _np_sigmoid(-x) ** gamma_pos * log_p + (1 - y) * p_m**gamma_neg * log_1m_pm)


def _asl_mistakes(y, x, gamma_pos, gamma_neg, clip):
    x = np.asarray(x, np.float64)
    p = _np_sigmoid(x)
    pm = np.maximum(p - clip, 0)
    log_p, log_1mp = -_softplus(-x), -_softplus(x)
    right_neg = pm**gamma_neg * np.log(np.minimum(1 - p + clip, 1))
    pos = (1 - p) ** gamma_pos * log_p
    return [
        (-(y * (1 - p) ** gamma_neg * log_p + (1 - y) * pm**gamma_pos * np.log(np.minimum(1 - p + clip, 1))),
         "gamma_pos and gamma_neg are swapped: gamma_neg focuses the NEGATIVE term"),
        (-(y * pos + (1 - y) * p**gamma_neg * log_1mp),
         "the clip (probability margin) is missing: negatives use p_m = max(p - clip, 0) in both the "
         "weight and the log"),
        (-(y * pos + (1 - y) * pm**gamma_neg * log_1mp),
         "you shifted p in the weight but not in the log: use log(1 - p_m)"),
        (-(y * pos + (1 - y) * (p - clip) ** gamma_neg * np.log(1 - p + clip)),
         "p - clip must be floored at 0 (p_m = max(p - clip, 0)), so easy negatives get exactly zero loss"),
        (-(y * pos + (1 - y) * p**gamma_neg * np.log(np.minimum(1 - p + clip, 1))),
         "use the shifted probability p_m in the focusing weight too: p_m**gamma_neg"),
        (-(y * (1 - pm) ** gamma_pos * np.log(np.maximum(pm, 1e-30)) + (1 - y) * right_neg),
         "the clip applies to negatives only; positives keep (1 - p)**gamma_pos * log(p)"),
    ]  # fmt: skip


def _asl_matches_reference(fn):
    y, x = sample_problem((4, 5), seed=9, scale=2.5)
    got = call_loss(fn, y, x, what="asymmetric_loss(y, x)")
    expect_reference(got, _asl_reference(y, x), "asymmetric_loss(y, x) (defaults 0, 4, 0.05)",
                _asl_mistakes(y, x, 0.0, 4.0, 0.05))  # fmt: skip


def _asl_other_params(fn):
    y, x = sample_problem((4, 5), seed=10, scale=2.5)
    got = call_loss(fn, y, x, gamma_pos=1.0, gamma_neg=3.0, clip=0.1, what="asymmetric_loss(y, x, 1, 3, 0.1)")
    expect_reference(got, _asl_reference(y, x, 1.0, 3.0, 0.1), "asymmetric_loss(y, x, gamma_pos=1, gamma_neg=3, clip=0.1)",
                charged_elsewhere(_asl_mistakes(y, x, 1.0, 3.0, 0.1)))  # fmt: skip


def _asl_degenerate(fn):
    y, x = sample_problem((3, 4), seed=11)
    got = call_loss(fn, y, x, gamma_pos=0.0, gamma_neg=0.0, clip=0.0, what="asymmetric_loss(y, x, 0, 0, 0)")
    expect_reference(got, _np_bce(y, x), "with gamma_pos=gamma_neg=clip=0 your loss (it should be plain BCE)")
    got = call_loss(fn, y, x, gamma_pos=2.0, gamma_neg=2.0, clip=0.0, what="asymmetric_loss(y, x, 2, 2, 0)")
    expect_reference(got, _focal_reference(y, x, 2.0, None), "with gamma_pos=gamma_neg=2, clip=0 your loss "
                "(it should equal focal loss with gamma=2)")  # fmt: skip


def _asl_easy_negatives(fn):
    y = np.zeros((1, 3), np.float32)
    x = np.array([[-4.0, -6.0, -1e4]], np.float32)  # p = 0.018, 0.0025, 0: all below the clip 0.05
    got = call_loss(fn, y, x, what="asymmetric_loss on easy negatives")
    if matches_known(got, _asl_mistakes(y, x, 0.0, 4.0, 0.05)) is not None:
        return  # a wrong formula is charged by the check against the reference
    if not np.allclose(got, 0.0, atol=1e-7):
        raise Mistake(
            f"negatives with p below clip=0.05 should cost exactly 0 (p_m = max(p - clip, 0) = 0), got {got}"
        )


def _asl_large_logits(fn):
    y = np.array([[1, 0, 1, 0]], np.float32)
    x = np.array([[1e4, 1e4, -1e4, -1e4]], np.float32)
    got = call_loss(
        fn, y, x, gamma_pos=0.0, gamma_neg=4.0, clip=0.0, what="asymmetric_loss at +-1e4 (clip=0)"
    )
    expect_finite(got, "your loss at logits of +-1e4 with clip=0", LOG_SIGMOID_HINT)
    expect_reference(got, np.array([[0, 1e4, 1e4, 0]]), "your loss at logits of +-1e4 with clip=0")
    got = call_loss(fn, y, x, what="asymmetric_loss at +-1e4 (clip=0.05)")
    expect_finite(got, "your loss at logits of +-1e4 with clip=0.05", LOG_SIGMOID_HINT)
    expect_reference(got, _asl_reference(y, x), "your loss at logits of +-1e4 with clip=0.05",
                     charged_elsewhere(_asl_mistakes(y, x, 0.0, 4.0, 0.05)))  # fmt: skip


def _asl_gradient(fn):
    y = np.array([[1, 0, 0, 1], [0, 0, 1, 0]], np.float64)
    x = np.array([[0.7, -1.5, 2.0, -3.5], [1.2, -0.4, 0.3, -2.2]], np.float64)  # away from the kink p = clip
    expect_gradient(lambda z: fn(y, z, gamma_pos=1.0, gamma_neg=4.0, clip=0.05), x,
                    "gradient of asymmetric_loss", "Use TensorFlow ops only.")  # fmt: skip


def _dtypes(fn, name, *args, reference, mistakes):
    """Integer 0/1 labels and float64 logits, a batch of one: float64 out, right values."""
    y = np.array([[1, 0, 1]])
    x = np.array([[0.5, -1.0, 2.0]])
    got = call_loss(fn, y, x, *args, what=f"{name} with integer labels and float64 logits")
    expect_dtype(got, np.float64, f"{name} with float64 logits")
    y64 = y.astype(np.float64)
    expect_reference(got, reference(y64, x), f"{name} on a batch of one (integer labels)",
                     charged_elsewhere(mistakes(y64, x)))  # fmt: skip


def _weighted_dtypes(fn):
    _dtypes(fn, "weighted_binary_crossentropy", 2.0, reference=lambda y, x: _weighted_reference(y, x, 2.0),
            mistakes=lambda y, x: _weighted_mistakes(y, x, 2.0))  # fmt: skip


def _focal_dtypes(fn):
    _dtypes(fn, "binary_focal_crossentropy", reference=lambda y, x: _focal_reference(y, x, 2.0, None),
            mistakes=lambda y, x: _focal_mistakes(y, x, 2.0, None))  # fmt: skip


def _asl_dtypes(fn):
    _dtypes(fn, "asymmetric_loss", reference=_asl_reference,
            mistakes=lambda y, x: _asl_mistakes(y, x, 0.0, 4.0, 0.05))  # fmt: skip


CHECKS = [
    Check("weighted_binary_crossentropy", "equals tf.nn.weighted_cross_entropy_with_logits", _weighted_matches_tf),
    Check("weighted_binary_crossentropy", "pos_weight=1 gives plain BCE", _weighted_degenerate),
    Check("weighted_binary_crossentropy", "one pos_weight per label (a vector)", _weighted_per_label),
    Check("weighted_binary_crossentropy", "finite and exact at logits of +-1e4", _weighted_large_logits),
    Check("weighted_binary_crossentropy", "gradient matches finite differences", _weighted_gradient),
    Check("weighted_binary_crossentropy", "keeps float64; integer labels; a batch of one", _weighted_dtypes),
    Check("weighted_binary_crossentropy", "soft labels and an all-zero row", _weighted_soft_and_empty,
          self_check=False),
    Check("binary_focal_crossentropy", "equals Keras' BinaryFocalCrossentropy (gamma=2)", _focal_matches_keras),
    Check("binary_focal_crossentropy", "alpha balancing as in Keras", _focal_alpha),
    Check("binary_focal_crossentropy", "gamma=0 gives plain BCE", _focal_gamma_zero),
    Check("binary_focal_crossentropy", "finite and exact at logits of +-1e4", _focal_large_logits),
    Check("binary_focal_crossentropy", "gradient matches finite differences", _focal_gradient),
    Check("binary_focal_crossentropy", "keeps float64; integer labels; a batch of one", _focal_dtypes),
    Check("asymmetric_loss", "equals the reference ASL (default parameters)", _asl_matches_reference),
    Check("asymmetric_loss", "other gamma_pos, gamma_neg, clip", _asl_other_params),
    Check("asymmetric_loss", "reduces to BCE and to focal loss", _asl_degenerate),
    Check("asymmetric_loss", "easy negatives (p < clip) cost exactly 0", _asl_easy_negatives),
    Check("asymmetric_loss", "gradient matches finite differences", _asl_gradient),
    Check("asymmetric_loss", "keeps float64; integer labels; a batch of one", _asl_dtypes),
    Check("asymmetric_loss", "finite and exact at logits of +-1e4 (clip 0 and 0.05)", _asl_large_logits),
]  # fmt: skip
CHECKS += from_scratch_checks(_SAMPLE_CALLS, LIBRARY_VERSIONS, LESSON_VERSIONS)
