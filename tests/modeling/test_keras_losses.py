"""The lessons' Keras-built losses: equal to the exact formulas where their docstrings say, right gradients,
the same in eager code, tf.function and model.fit, and the stated limits of Keras' clipping."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from losslab.debugging.gradcheck import gradient_check
from losslab.modeling import keras_losses as kl

RNG = np.random.default_rng(0)
Y = np.array([[1, 0, 1, 0, 0], [0, 0, 0, 0, 0], [0, 1, 0, 0, 1]], np.float32)
X = (RNG.normal(size=Y.shape) * 3).astype(np.float32)
X_SMOOTH = np.array([[0.7, -1.5, 2.0, -3.5, 1.1], [1.2, -0.4, 0.3, -2.2, 0.9], [-0.6, 1.7, 0.2, 2.5, -1.0]])


def softplus(x):
    return np.logaddexp(0.0, x)


def sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def asl_exact(y, x, gamma_pos=0.0, gamma_neg=4.0, clip=0.05):
    p_m = np.maximum(sigmoid(x) - clip, 0.0)
    log_1m_pm = np.log(np.minimum(sigmoid(-x) + clip, 1.0)) if clip else -softplus(x)
    return -(y * sigmoid(-x) ** gamma_pos * -softplus(-x) + (1 - y) * p_m**gamma_neg * log_1m_pm)


def normalized_exact(y, x):
    t = np.divide(
        y,
        y.sum(-1, keepdims=True),
        out=np.zeros_like(y, dtype=np.float64),
        where=y.sum(-1, keepdims=True) > 0,
    )
    log_softmax = x - np.logaddexp.reduce(x, axis=-1, keepdims=True)
    return -(t * log_softmax).sum(-1)


def zlpr_exact(y, s):
    neg = np.where(y > 0.5, -np.inf, s)
    pos = np.where(y > 0.5, -s, -np.inf)
    zero = np.zeros(s.shape[:-1] + (1,))
    lse = lambda v: np.logaddexp.reduce(np.concatenate([v, zero], -1), axis=-1)  # noqa: E731
    return lse(neg) + lse(pos)


def abs_kl_exact(p, q, eps=1e-7):
    p, q = np.maximum(p, eps), np.maximum(q, eps)
    return np.abs((p - q) * np.log(p / q)).sum(-1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_values_equal_the_exact_formulas_in_the_stated_range(dtype):
    y, x = Y.astype(dtype), X.astype(dtype)
    for got, want in [
        (kl.keras_asymmetric_loss(y, x), asl_exact(y, x.astype(np.float64))),
        (kl.keras_asymmetric_loss(y, x, 1.0, 2.0, 0.0), asl_exact(y, x.astype(np.float64), 1.0, 2.0, 0.0)),
        (kl.keras_normalized_crossentropy(y, x), normalized_exact(y, x.astype(np.float64))),
        (kl.keras_zlpr_loss(y, x), zlpr_exact(y, x.astype(np.float64))),
        (kl.keras_symmetric_kl(y, sigmoid(x)), abs_kl_exact(y, sigmoid(x.astype(np.float64)))),
    ]:
        assert got.dtype == dtype
        rtol = 2e-5 if dtype == np.float32 else 1e-6  # Keras' clip at 1e-7 is felt in the 7th digit
        assert np.allclose(got.numpy(), want, rtol=rtol, atol=1e-6)


def test_normalized_rows_and_empty_rows():
    assert np.allclose(kl.normalized_rows(Y).numpy().sum(-1), [1.0, 0.0, 1.0])
    assert kl.keras_normalized_crossentropy(Y, X).numpy()[1] == 0.0
    one_hot = np.eye(5, dtype=np.float32)[[0, 3, 4]]
    cce = keras.losses.categorical_crossentropy(one_hot, X, from_logits=True)
    assert np.allclose(kl.keras_normalized_crossentropy(one_hot, X).numpy(), np.asarray(cce), rtol=1e-6)


def test_a_row_without_labels_gets_gradient_zero():
    """Keras' cross-entropy alone would give that row loss 0 and gradient softmax(x): the mask removes it."""
    x = tf.Variable(X)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(kl.keras_normalized_crossentropy(Y, x))
    assert np.all(tape.gradient(total, x).numpy()[1] == 0.0)
    with tf.GradientTape() as tape:
        unmasked = tf.reduce_sum(
            keras.losses.categorical_crossentropy(kl.normalized_rows(Y), x, from_logits=True)
        )
    assert np.allclose(tape.gradient(unmasked, x).numpy()[1], tf.nn.softmax(X[1]).numpy())


@pytest.mark.parametrize(
    "fn",
    [
        lambda z: kl.keras_asymmetric_loss(Y.astype(np.float64), z, 1.0, 4.0, 0.05),
        lambda z: kl.keras_asymmetric_loss(Y.astype(np.float64), z),
        lambda z: kl.keras_normalized_crossentropy(Y.astype(np.float64), z),
        lambda z: kl.keras_zlpr_loss(Y.astype(np.float64), z),
        lambda z: kl.keras_symmetric_kl(Y.astype(np.float64), tf.sigmoid(z)),
    ],
    ids=["asl_gamma_pos_1", "asl_defaults", "normalized", "zlpr", "symmetric_kl"],
)
def test_gradients_match_finite_differences(fn):
    assert gradient_check(fn, X_SMOOTH).ok


def test_single_label_zlpr_is_bce_and_abs_is_redundant():
    y, s = np.array([[1.0], [0.0]]), np.array([[0.7], [-1.3]])
    bce = tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=s).numpy()[:, 0]
    assert np.allclose(kl.keras_zlpr_loss(y, s).numpy(), bce)
    p, q = np.array([[0.2, 0.5, 1.0]]), np.array([[0.4, 0.1, 1.0]])
    assert np.allclose(kl.keras_symmetric_kl(p, q).numpy(), ((p - q) * np.log(p / q)).sum(-1))
    assert np.allclose(kl.keras_symmetric_kl(q, p).numpy(), kl.keras_symmetric_kl(p, q).numpy())


def test_the_limits_the_docstrings_state():
    """Keras keeps probabilities in [1e-7, 1 - 1e-7]: ASL flattens beyond |x| of about 16, KL above 1."""
    y, x = np.array([[1.0, 1.0, 0.0]], np.float32), np.array([[-10.0, -30.0, 1e4]], np.float32)
    got = kl.keras_asymmetric_loss(y, x, clip=0.0).numpy()[0]
    assert np.isclose(got[0], 10.0, rtol=1e-3)  # exact inside the range
    assert np.isclose(got[1], -np.log(1e-7), rtol=1e-3) and got[1] < 30.0  # flat at 16.1, not 30
    assert np.all(np.isfinite(kl.keras_zlpr_loss(Y, np.where(Y > 0, -1e4, 1e4)).numpy()))
    assert np.isclose(kl.keras_zlpr_loss(np.array([[1.0, 0.0]]), np.array([[-1e4, 1e4]])).numpy()[0], 2e4)
    above_one = kl.keras_symmetric_kl(np.array([[1.0]]), np.array([[2.0]])).numpy()[0]
    assert above_one == 0.0 and abs_kl_exact(np.array([[1.0]]), np.array([[2.0]]))[0] > 0.69


def test_the_same_in_eager_code_tf_function_and_model_fit():
    for fn in (kl.keras_asymmetric_loss, kl.keras_normalized_crossentropy, kl.keras_zlpr_loss):
        eager = fn(Y, X).numpy()
        traced = tf.function(fn)(tf.constant(Y), tf.constant(X)).numpy()
        assert np.allclose(eager, traced, rtol=1e-6, atol=1e-7)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5)])
    from losslab.modeling.losses import mean_over_labels

    for loss in (
        mean_over_labels(kl.keras_asymmetric_loss),
        kl.keras_normalized_crossentropy,
        kl.keras_zlpr_loss,
    ):
        model.compile(optimizer=keras.optimizers.Adam(0.1), loss=loss)
        history = model.fit(RNG.normal(size=(64, 4)), np.tile(Y, (22, 1))[:64], epochs=3, verbose=0)
        assert np.all(np.isfinite(history.history["loss"]))


def test_bad_inputs_are_refused_with_a_message():
    with pytest.raises(ValueError, match="must match"):
        kl.keras_asymmetric_loss(Y, X[:, :3])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        kl.keras_normalized_crossentropy(Y * 2, X)
    with pytest.raises(ValueError, match="non-negative"):
        kl.keras_symmetric_kl(Y, -X)
    with pytest.raises(ValueError, match="clip"):
        kl.keras_asymmetric_loss(Y, X, clip=1.5)
    with pytest.raises(ValueError, match="scalar"):
        kl.keras_zlpr_loss(1.0, 2.0)


def test_abs_kl_price_of_a_false_positive_as_lesson_07_states_it():
    """Lesson 07, section 4: a negative label predicted at q costs about q log(q / eps): 9 to 16 times q for
    q in [0.001, 1]; against BCE's -log(1 - q) the ratio is 9 to 13 only for q in [0.001, 0.7]."""
    bce = keras.losses.BinaryCrossentropy(reduction=None)

    def costs(q):
        kl_cost = float(kl.keras_symmetric_kl(np.zeros((1, 1)), np.full((1, 1), q))[0])
        ce = float(bce(np.zeros((1, 1)), np.full((1, 1), q))[0])
        return kl_cost, ce

    for q in (1e-3, 1e-2, 0.1, 0.5, 0.9, 1.0):
        assert 9.0 <= costs(q)[0] / q <= 16.2
    ratios = {q: costs(q)[0] / costs(q)[1] for q in (1e-4, 1e-3, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99)}
    assert all(9.0 <= ratios[q] <= 13.5 for q in (1e-3, 0.1, 0.3, 0.5, 0.7))
    assert ratios[1e-4] < 9.0 and ratios[0.9] < 9.0 and ratios[0.99] < 4.0  # the condition matters


def test_why_a_power_of_zero_uses_plain_bce():
    """Keras' focal factor (1 - p_t) ** 0 has a NaN gradient where p_t rounds to 1; the ASL helper avoids it."""
    x = tf.Variable([[30.0]])
    with tf.GradientTape() as tape:
        focal = keras.losses.binary_focal_crossentropy(
            tf.ones((1, 1, 1)), tf.sigmoid(x)[..., None], gamma=0.0
        )
    assert np.isnan(tape.gradient(focal, x).numpy()).all()
    with tf.GradientTape() as tape:
        asl = tf.reduce_sum(kl.keras_asymmetric_loss(np.array([[1.0]], np.float32), x, gamma_pos=0.0))
    assert np.isfinite(tape.gradient(asl, x).numpy()).all()
