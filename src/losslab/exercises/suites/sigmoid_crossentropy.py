"""Checks for exercise 03: sigmoid and binary cross-entropy, from scratch.

Graded functions (names and signatures fixed by COURSE.md §3):

* ``sigmoid(x)`` -> same shape and dtype as ``x``
* ``binary_crossentropy(y_true, logits)`` -> element-wise, same shape as ``logits``,
  like ``tf.nn.sigmoid_cross_entropy_with_logits``
* ``binary_crossentropy_from_probs(y_true, probs, epsilon=1e-7)`` -> element-wise,
  probabilities clipped to [epsilon, 1 - epsilon] like Keras

References: ``tf.sigmoid``, ``tf.nn.sigmoid_cross_entropy_with_logits`` and
``keras.ops.binary_crossentropy`` (element-wise, clipped). Each check is a pure
function of the learner's function.
"""

from __future__ import annotations

import numpy as np

from losslab.exercises.checks import Check, Mistake, as_array
from losslab.exercises.from_scratch import from_scratch_checks
from losslab.exercises.tensor_checks import (
    call,
    expect_dtype,
    expect_finite,
    expect_gradient,
    expect_reference,
    expect_tensor,
    is_close,
    matches_known,
    tape_gradient_of,
)

__all__ = ["CHECKS", "EXERCISE", "LIBRARY_VERSIONS"]

EXERCISE = "03_sigmoid_binary_crossentropy"

_RNG = np.random.default_rng(3)
_LOGITS = _RNG.normal(0.0, 3.0, size=(4, 5)).astype(np.float32)
_LABELS = (_RNG.random((4, 5)) < 0.4).astype(np.float32)
_LABELS[0] = 0.0  # an all-zero label row
_EXTREME = np.array([[1e4, -1e4, 100.0, -100.0, 20.0], [-20.0, 0.0, 88.0, -88.0, 17.0]], dtype=np.float32)
_EXTREME_Y = np.array([[0, 1, 0, 1, 0], [1, 1, 1, 0, 0]], dtype=np.float32)
_SOFT = np.array([[0.1, 0.9, 0.5, 0.0, 1.0], [0.25, 0.75, 0.3, 0.6, 0.05]], dtype=np.float32)
_RNG_3D = np.random.default_rng(4).normal(0.0, 4.0, size=(2, 3, 4)).astype(np.float32)
_PROBS = np.array([[0.0, 1.0, 0.5, 0.3, 1e-9], [1.0, 0.0, 0.999, 0.02, 1 - 1e-9]], dtype=np.float32)


# Library functions the exercise builds; calling them (by attribute, e.g. tf.sigmoid) is refused.
LIBRARY_VERSIONS = frozenset(
    {
        "sigmoid",
        "log_sigmoid",
        "softplus",
        "sigmoid_cross_entropy_with_logits",
        "weighted_cross_entropy_with_logits",
        "binary_crossentropy",
        "BinaryCrossentropy",
        "binary_focal_crossentropy",
    }
)

_SAMPLE_CALLS = {
    "sigmoid": lambda fn: fn([[1.0, -2.0]]),
    "binary_crossentropy": lambda fn: fn([[1.0, 0.0]], [[1.0, -2.0]]),
    "binary_crossentropy_from_probs": lambda fn: fn([[1.0, 0.0]], [[0.7, 0.2]]),
}


def _tf():
    from losslab.environment.runtime import import_tensorflow_quietly

    return import_tensorflow_quietly()[0]


def _ref_bce(y, logits):
    return _tf().nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits).numpy()


def _ref_bce_probs(y, probs, epsilon=1e-7):
    """Keras' clipped BCE on probabilities, element-wise (keras.ops.binary_crossentropy)."""
    tf = _tf()
    p = tf.clip_by_value(tf.constant(probs), epsilon, 1.0 - epsilon)
    y = tf.cast(y, p.dtype)
    return (-(y * tf.math.log(p) + (1 - y) * tf.math.log(1 - p))).numpy()


# --- sigmoid -----------------------------------------------------------------
#
# One mistake, one deduction: the check that owns a mistake names it; the other checks
# recognise the same wrong result (``charged=False``) and let it pass.


def _sigmoid_basic(fn):
    tf = _tf()
    what = "sigmoid(x)"
    got = as_array(expect_tensor(call(fn, _LOGITS.tolist(), what=what), what), what)
    known = [
        (
            tf.sigmoid(-_LOGITS).numpy(),
            "your sigmoid is sigmoid(-x): it is 1 / (1 + exp(-x)), so large x gives values near 1",
        ),
        (
            tf.nn.softmax(_LOGITS).numpy(),
            "this is softmax (it couples the outputs); sigmoid treats every entry on its own",
        ),
    ]
    expect_reference(got, tf.sigmoid(_LOGITS).numpy(), what, known)


def _sigmoid_stable(fn):
    tf = _tf()
    what = "sigmoid at x = ±1e4, ±100"
    got = expect_finite(
        expect_tensor(call(fn, _EXTREME, what=what), what),
        what,
        "exp(-x) overflows for very negative x; compute e = exp(-|x|) and use 1/(1+e) for x >= 0, "
        "e/(1+e) for x < 0",
    )
    expect_reference(got, tf.sigmoid(_EXTREME).numpy(), what, [(tf.sigmoid(-_EXTREME).numpy(), "", False)])
    grad = tape_gradient_of(fn, _EXTREME, "sigmoid")
    expect_finite(
        grad,
        "the gradient of your sigmoid at x = ±1e4",
        "exp(-x) (or exp(x)) is inf there, and inf/inf or 0*inf is NaN. tf.where does not help by "
        "itself: the gradient flows through both branches. Compute exp(-|x|), which never overflows",
    )


def _sigmoid_edges(fn):
    tf = _tf()
    x3 = _RNG_3D
    what = "sigmoid of a 3-D tensor"
    expect_reference(
        call(fn, x3, what=what), tf.sigmoid(x3).numpy(), what, [(tf.sigmoid(-x3).numpy(), "", False)]
    )
    what = "sigmoid of a scalar"
    expect_reference(
        call(fn, 0.5, what=what), tf.sigmoid(0.5).numpy(), what, [(tf.sigmoid(-0.5).numpy(), "", False)]
    )


def _sigmoid_gradient(fn):
    expect_gradient(fn, [[-8.0, -5.0, -0.5, 0.7, 4.0, 8.0]], "sigmoid")
    grad = tape_gradient_of(fn, np.zeros(3), "sigmoid")
    if np.allclose(grad, 0.0):
        raise Mistake(
            "at x = 0 the gradient of your sigmoid is 0, the true one is sigmoid'(0) = 0.25: tf.abs has "
            "slope 0 at 0, so exp(-tf.abs(x)) loses the gradient there. Write -|x| as "
            "tf.where(x >= 0, -x, x), with the same condition that picks the branch"
        )
    if np.allclose(np.abs(grad), 0.25):
        return  # the sign of sigmoid(-x) is charged by the values check
    expect_reference(grad, np.full(3, 0.25), "the gradient of sigmoid at x = 0", atol=1e-6)


# --- binary_crossentropy (on logits) ------------------------------------------


def _bce_known(y: np.ndarray, logits: np.ndarray, charged: bool = False) -> list:
    """Results of the known wrong BCEs; ``charged`` in the check that owns them."""
    tf = _tf()
    want = _ref_bce(y, logits)
    known = [
        (
            want.mean(axis=-1),
            f"binary_crossentropy returned shape {want.shape[:-1]}, expected {want.shape}: you reduced "
            "(mean or sum) over the labels. Return one loss per element, like "
            "tf.nn.sigmoid_cross_entropy_with_logits; a mean over labels happens later (Keras' "
            "BinaryCrossentropy averages, a hand-written sum over 4096 labels is 4096x larger)",
        ),
        (want.sum(axis=-1), "you reduced (mean or sum) over the labels: return one loss per element"),
        (np.float64(want.mean()), "you reduced (mean or sum) over everything: return one loss per element"),
        (
            -want,
            "your losses are negative: the minus sign is missing. BCE = -[z log p + (1-z) log(1-p)] "
            "(the hand-written formula in one of the forum threads drops it, so minimising it pushes "
            "predictions the wrong way)",
        ),
        (
            _ref_bce(y, tf.sigmoid(logits).numpy()),
            "sigmoid is applied twice: binary_crossentropy takes logits and the sigmoid is inside the "
            "formula; feeding it sigmoid(x) squeezes the inputs into (0, 1), so the loss can never go "
            "below 0.313 for a positive label",
        ),
        (
            _ref_bce(1 - y, logits),
            "positive and negative labels are swapped: the z log p term belongs to z = 1",
        ),
    ]
    known = [(v, m, charged) for v, m in known if not is_close(v, want)]
    x32, y32 = np.asarray(logits, np.float32), np.asarray(y, np.float32)
    with np.errstate(all="ignore"):  # log(sigmoid(x)) in float32: charged by the check at large logits
        p = np.float32(1) / (np.float32(1) + np.exp(-x32))
        naive = -(y32 * np.log(p) + (1 - y32) * np.log(np.float32(1) - p))
    return [*known, (naive, "", False)]


def _bce_basic(fn):
    what = "binary_crossentropy(y_true, logits)"
    got = as_array(expect_tensor(call(fn, _LABELS.tolist(), _LOGITS.tolist(), what=what), what), what)
    expect_reference(got, _ref_bce(_LABELS, _LOGITS), what, _bce_known(_LABELS, _LOGITS, charged=True))


def _bce_stable(fn):
    what = "binary_crossentropy at logits of ±100 and ±1e4"
    got = expect_finite(
        expect_tensor(call(fn, _EXTREME_Y, _EXTREME, what=what), what),
        what,
        "you take log(sigmoid(x)) directly: sigmoid(100) is exactly 1.0 in float32, so log(1 - p) = -inf "
        "(and 0 * -inf = NaN). Use the stable form max(x, 0) - x*z + log(1 + exp(-|x|))",
    )
    expect_reference(got, _ref_bce(_EXTREME_Y, _EXTREME), what, _bce_known(_EXTREME_Y, _EXTREME))


_MODERATE = np.array([[-6.0, 3.0, -0.5, 0.8, 4.5], [2.0, -7.0, 0.1, -1.5, 6.0]], dtype=np.float32)


def _bce_soft_and_shapes(fn):
    what = "binary_crossentropy with soft labels"
    got = as_array(call(fn, _SOFT, _MODERATE, what=what), what)
    expect_reference(got, _ref_bce(_SOFT, _MODERATE), what, _bce_known(_SOFT, _MODERATE))
    cases = [
        ("on a batch of one", _LABELS[1:2], _LOGITS[1:2]),
        ("on 1-D input", _LABELS[2], _LOGITS[2]),
        ("on 3-D input", (_RNG_3D > 0).astype(np.float32), _RNG_3D),
    ]
    for words, y, x in cases:
        what = f"binary_crossentropy {words}"
        known = _bce_known(y, x) if np.ndim(x) >= 1 else []
        expect_reference(call(fn, y, x, what=what), _ref_bce(y, x), what, known)
    what = "binary_crossentropy with integer labels"
    got = call(fn, _LABELS.astype(np.int64), _LOGITS, what=what)
    expect_reference(got, _ref_bce(_LABELS, _LOGITS), what, _bce_known(_LABELS, _LOGITS))


def _bce_gradient(fn):
    x = np.array([[-8.0, -4.0, -0.3, 0.4, 5.0, 8.0], [3.0, -2.0, 1.5, -1.0, 0.2, -6.0]])
    y = np.array([[1.0, 0.0, 1.0, 0.5, 0.0, 1.0], [0.0, 0.0, 1.0, 1.0, 0.3, 0.0]])
    expect_gradient(
        lambda z: fn(y, z),
        x,
        "binary_crossentropy",
        "The gradient of the stable form is sigmoid(x) - z. A NaN or inf here usually means "
        "log(sigmoid(x)) somewhere in your formula.",
    )


def _bce_gradient_at_zero(fn):
    x = np.zeros((1, 3), dtype=np.float64)
    y = np.array([[1.0, 0.0, 0.5]])
    grad = tape_gradient_of(lambda z: fn(y, z), x, "binary_crossentropy")
    want = 0.5 - y
    kinked = [k * v for k in (1.0, -1.0, 1.0 / y.shape[-1]) for v in (1.0 - y, -y)]  # also with sign/mean
    if grad.shape == want.shape and any(np.allclose(grad, v) for v in kinked):
        raise Mistake(
            f"at logit exactly 0 your gradient is {np.round(grad, 3).tolist()}, the true one is "
            f"sigmoid(0) - z = {want.tolist()}. max(x, 0) and |x| both have a kink at 0 and TensorFlow "
            "picks a different side for each (tf.maximum: 1, tf.abs: 0, tf.nn.relu: 0). Use the same "
            "condition for both parts, e.g. c = x >= 0; tf.where(c, x, 0) and tf.where(c, -x, x)"
        )
    twice = (1.0 / (1.0 + np.exp(-0.5)) - y) * 0.25  # sigmoid applied twice: charged by the values check
    known = [(-want, "", False), (want / want.shape[-1], "", False), (twice, "", False)]
    expect_reference(grad, want, "the gradient of binary_crossentropy at logit 0", known, atol=1e-6)


# --- binary_crossentropy_from_probs --------------------------------------------


def _probs_known(y, p, epsilon=1e-7, charged=False):
    want = _ref_bce_probs(y, p, epsilon)
    known = [
        (-want, "your losses are negative: the minus sign is missing, BCE = -[z log p + (1-z) log(1-p)]"),
        (
            _ref_bce(y, p),
            "you treated the probabilities as logits (a sigmoid applied to probabilities): this function "
            "receives probabilities, so take their log directly",
        ),
        (want.mean(axis=-1), "return one loss per element (no mean or sum)"),
    ]
    return [(v, m, charged) for v, m in known if not is_close(v, want)]


def _probs_basic(fn):
    tf = _tf()
    p = tf.sigmoid(_LOGITS).numpy()
    what = "binary_crossentropy_from_probs(y_true, probs)"
    got = as_array(expect_tensor(call(fn, _LABELS.tolist(), p.tolist(), what=what), what), what)
    expect_reference(got, _ref_bce_probs(_LABELS, p), what, _probs_known(_LABELS, p, charged=True))


def _probs_clipped(fn):
    what = "binary_crossentropy_from_probs at probabilities of exactly 0 and 1"
    got = expect_finite(
        expect_tensor(call(fn, _EXTREME_Y, _PROBS, what=what), what),
        what,
        "log(0) = -inf: clip the probabilities to [epsilon, 1 - epsilon] first (tf.clip_by_value), as Keras does",
    )
    want = _ref_bce_probs(_EXTREME_Y, _PROBS)
    known = _probs_known(_EXTREME_Y, _PROBS)
    if got.shape == want.shape and not is_close(got, want) and matches_known(got, known) is None:
        if np.max(got) > np.max(want) + 1e-3:
            raise Mistake(
                f"your largest loss is {np.max(got):.4g}, Keras' is {np.max(want):.4g}: clip to "
                "[epsilon, 1 - epsilon] with the epsilon argument (default 1e-7), not a smaller one"
            )
    expect_reference(got, want, what, known)


def _probs_epsilon(fn):
    what = "binary_crossentropy_from_probs(..., epsilon=1e-3)"
    got = as_array(call(fn, _EXTREME_Y, _PROBS, epsilon=1e-3, what=what), what)
    want = _ref_bce_probs(_EXTREME_Y, _PROBS, epsilon=1e-3)
    if not np.all(np.isfinite(got)):
        return  # no clipping at all: charged by the check at probabilities 0 and 1
    if got.shape == want.shape and is_close(got, _ref_bce_probs(_EXTREME_Y, _PROBS)):
        raise Mistake("the `epsilon` argument is ignored: clip with it, not with a fixed 1e-7")
    expect_reference(got, want, what, _probs_known(_EXTREME_Y, _PROBS, 1e-3))


def _probs_edges(fn):
    what = "binary_crossentropy_from_probs on a batch of one"
    y, p = [[1.0, 0.0]], [[0.8, 0.4]]
    expect_reference(call(fn, y, p, what=what), _ref_bce_probs(y, p), what, _probs_known(y, np.float32(p)))


def _probs_gradient(fn):
    p = np.array([[0.2, 0.7, 0.5, 0.95], [0.01, 0.6, 0.3, 0.999]])
    y = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.5, 1.0]])
    expect_gradient(lambda q: fn(y, q), p, "binary_crossentropy_from_probs inside [epsilon, 1 - epsilon]")
    outside = np.array([[0.0, 1.0, 1e-9]])
    grad = tape_gradient_of(
        lambda q: fn(np.array([[1.0, 0.0, 1.0]]), q), outside, "binary_crossentropy_from_probs"
    )
    if not np.all(np.isfinite(grad)):
        return  # no clipping at all: charged by the check at probabilities 0 and 1
    if not np.all(grad == 0.0):
        raise Mistake(
            f"outside [epsilon, 1 - epsilon] the gradient should be exactly 0 (clipping, as in Keras), got "
            f"{grad.tolist()}: clip with tf.clip_by_value instead of adding epsilon"
        )


def _dtype_check(call_with, target):
    """A check that float32 and float64 inputs give results of the same dtype."""

    def test(fn):
        for dtype in (np.float32, np.float64):
            what = f"{target} of {np.dtype(dtype).name} input"
            expect_dtype(expect_tensor(call(call_with, fn, dtype, what=what), what), dtype, what)

    return test


_DTYPE_CALLS = {
    "sigmoid": lambda fn, d: fn(_LOGITS.astype(d)),
    "binary_crossentropy": lambda fn, d: fn(_LABELS, _LOGITS.astype(d)),
    "binary_crossentropy_from_probs": lambda fn, d: fn(_LABELS, np.full((4, 5), 0.3, dtype=d)),
}

CHECKS = [
    Check("sigmoid", "matches tf.sigmoid", _sigmoid_basic),
    Check("sigmoid", "finite values and gradients at x = ±1e4", _sigmoid_stable, points=2),
    Check("sigmoid", "gradient matches finite differences, also at 0", _sigmoid_gradient, points=2),
    Check("sigmoid", "any shape, scalars", _sigmoid_edges, self_check=False),
    Check("binary_crossentropy", "element-wise, matches sigmoid_cross_entropy_with_logits", _bce_basic),
    Check("binary_crossentropy", "finite and right at logits of ±100 and ±1e4", _bce_stable, points=2),
    Check("binary_crossentropy", "gradient matches finite differences", _bce_gradient, points=2),
    Check("binary_crossentropy", "gradient right at logit exactly 0", _bce_gradient_at_zero, points=2),
    Check(
        "binary_crossentropy",
        "soft labels, batch of one, 1-D/3-D, integer labels",
        _bce_soft_and_shapes,
        self_check=False,
    ),
    Check("binary_crossentropy_from_probs", "element-wise, matches Keras", _probs_basic),
    Check(
        "binary_crossentropy_from_probs",
        "finite at probabilities 0 and 1 (clipped)",
        _probs_clipped,
        points=2,
    ),
    Check("binary_crossentropy_from_probs", "honours epsilon", _probs_epsilon),
    Check(
        "binary_crossentropy_from_probs",
        "gradient: finite differences inside the band, exactly 0 outside",
        _probs_gradient,
        points=2,
    ),
    Check("binary_crossentropy_from_probs", "batch of one", _probs_edges, self_check=False),
]
CHECKS += [
    Check(
        target, "keeps the dtype of its input (float32, float64)", _dtype_check(_DTYPE_CALLS[target], target)
    )
    for target in _DTYPE_CALLS
]
CHECKS += from_scratch_checks(_SAMPLE_CALLS, LIBRARY_VERSIONS)
