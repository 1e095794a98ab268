"""float32 facts: where exp, sigmoid and the naive formulas break (lessons 02, 03, 05)."""

import numpy as np
import pytest

TINY = np.finfo(np.float32).tiny  # smallest normal float32, 1.18e-38


def test_l02_s1_exp_overflows_float32_from_89(tf):
    assert np.isfinite(tf.exp(tf.constant(88.0)).numpy())
    assert np.isinf(tf.exp(tf.constant(89.0)).numpy())
    assert np.finfo(np.float32).max == pytest.approx(3.4e38, rel=0.01)


def test_l02_s1_naive_softmax_of_1000_is_nan(tf):
    x = tf.constant([[1000.0, 0.0, -1000.0]])
    naive = (tf.exp(x) / tf.reduce_sum(tf.exp(x), axis=-1, keepdims=True)).numpy()
    assert np.isnan(naive[0, 0])
    assert np.allclose(tf.nn.softmax(x).numpy(), [[1.0, 0.0, 0.0]])


def test_l02_s2_log_of_softmax_underflows_log_softmax_does_not(tf):
    x = tf.constant([[0.0, -200.0, 5.0]])
    assert np.isneginf(tf.math.log(tf.nn.softmax(x)).numpy()[0, 1])
    assert tf.nn.log_softmax(x).numpy()[0, 1] == pytest.approx(-205.0067, abs=1e-3)


def test_l02_s3_naive_cce_gradient_dies_near_gap_44_by_underflow(tf):
    """-log(e^x1 / sum e^x) with logits [t, 0, 0], true class 1: d/dt is ~1 up to t = 43.6, 0 from 43.7."""
    y = tf.constant([[0.0, 1.0, 0.0]])

    def grad(t):
        v = tf.Variable([[t, 0.0, 0.0]])
        with tf.GradientTape() as tape:
            e = tf.exp(v)
            loss = -tf.reduce_sum(y * tf.math.log(e / tf.reduce_sum(e, axis=1, keepdims=True)))
        return tape.gradient(loss, v).numpy()[0, 0]

    assert grad(43.6) == pytest.approx(1.0)
    assert grad(43.7) == 0.0
    assert grad(60.0) == 0.0
    assert np.isnan(grad(89.0))  # only here does exp itself overflow
    # The mechanism: the division's gradient forms (1/S)/S ~ e^(-2t), which is below the smallest
    # normal float32 (and flushed to 0) from 2t ~ 87.3; S * S itself is still finite at t = 44.
    s = tf.exp(tf.constant(44.0)) + 2.0
    assert np.isfinite((s * s).numpy())
    assert float(tf.exp(tf.constant(-88.0))) < TINY
    assert ((1.0 / s) / s).numpy() == 0.0


def test_l02_s3_stable_cce_slope_goes_from_0_to_1(tf):
    """The stable loss is ln 2 and flat for t << 0 (true class 1 of [t, 0, 0]), slope 1 for t >> 0."""
    t = tf.Variable([-30.0, 0.0, 200.0])
    y = tf.one_hot([1, 1, 1], 3)
    with tf.GradientTape() as tape:
        logits = tf.stack([t, tf.zeros(3), tf.zeros(3)], axis=1)
        loss = tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits)
    g = tape.gradient(loss, t).numpy()
    assert loss.numpy()[0] == pytest.approx(np.log(2), abs=1e-6)
    assert g[0] == pytest.approx(0.0, abs=1e-9)
    assert g[1] == pytest.approx(1 / 3, abs=1e-6)
    assert g[2] == pytest.approx(1.0)


def test_l03_s2_tf_sigmoid_is_exactly_1_from_16_64(tf):
    below = np.float32(16.635)
    first = np.nextafter(below, np.float32(20.0))
    while tf.sigmoid(tf.constant(first)).numpy() < 1.0:
        first = np.nextafter(first, np.float32(20.0))
    assert 16.63 < first < 16.64
    assert tf.sigmoid(tf.constant(16.63)).numpy() < 1.0
    assert tf.sigmoid(tf.constant(17.0)).numpy() == 1.0


def test_l03_s2_correctly_rounded_sigmoid_17_is_0_99999994_but_1_plus_exp_rounds_to_1(tf):
    exact = 1.0 / (1.0 + np.exp(-17.0))  # float64
    assert np.float32(exact) == np.float32(0.99999994)
    assert np.float32(exact) < 1.0
    assert np.float32(1.0) + np.exp(np.float32(-17.0)) == np.float32(1.0)
    assert tf.sigmoid(tf.constant(17.0)).numpy() == 1.0  # TensorFlow does not round correctly here


def test_l03_s2_sigmoid_underflows_to_0_from_minus_88(tf):
    assert tf.sigmoid(tf.constant(-87.0)).numpy() > 0.0
    assert tf.sigmoid(tf.constant(-88.0)).numpy() == 0.0
    assert tf.sigmoid(tf.constant(-120.0)).numpy() == 0.0


def test_l03_s2_l05_case9_naive_bce_gives_inf_and_nan(tf):
    x = tf.constant([-120.0, -20.0, 0.0, 17.0, 20.0, 100.0])
    p = tf.sigmoid(x)
    naive_pos = (-tf.math.log(p) - 0.0 * tf.math.log(1 - p)).numpy()
    naive_neg = (-0.0 * tf.math.log(p) - tf.math.log(1 - p)).numpy()
    assert np.isinf(naive_pos[0]) and np.isnan(naive_pos[3:]).all()
    assert np.isnan(naive_neg[0]) and np.isinf(naive_neg[3:]).all()
    assert naive_pos[2] == pytest.approx(np.log(2))


def test_l03_s5_l05_case10_float16_one_minus_1e_7_is_1():
    assert np.float16(1.0) - np.float16(1e-7) == np.float16(1.0)
    assert np.float32(1.0) - np.float32(1e-7) < np.float32(1.0)


def test_l05_case12_numpy_broadcasts_b_and_b1_into_bxb():
    assert (np.zeros(4) - np.zeros((4, 1))).shape == (4, 4)
