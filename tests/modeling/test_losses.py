"""Reference multi-label losses: values against closed forms / TF, degenerate cases, extremes, gradients."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from losslab.debugging.gradcheck import gradient_check
from losslab.modeling import losses as ml

RNG = np.random.default_rng(0)
Y = np.array([[1, 0, 1, 0, 0], [0, 0, 0, 0, 0], [0, 1, 0, 0, 1]], np.float32)
X = (RNG.normal(size=Y.shape) * 3).astype(np.float32)
EXTREME = np.array([[1e4, -1e4, 1e4, -1e4, 0.0]] * 3, np.float32)


def bce(y, x):
    return tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=x).numpy()


def test_asl_reduces_to_bce_and_focal():
    assert np.allclose(ml.asymmetric_loss(Y, X, 0.0, 0.0, 0.0).numpy(), bce(Y, X), atol=1e-6)
    focal = keras.losses.binary_focal_crossentropy(Y[..., None], X[..., None], gamma=2.0, from_logits=True)
    assert np.allclose(ml.asymmetric_loss(Y, X, 2.0, 2.0, 0.0).numpy(), np.asarray(focal), atol=1e-6)


def test_asl_margin_zeroes_easy_negatives_and_bounds_hard_ones():
    loss = ml.asymmetric_loss(np.zeros((1, 3)), np.array([[-4.0, 1e4, -1e4]]), clip=0.05).numpy()
    assert loss[0, 0] == 0 and loss[0, 2] == 0
    assert np.isclose(loss[0, 1], 0.95**4 * -np.log(0.05))  # 1 - p_m >= clip: a wrong negative costs little


@pytest.mark.parametrize(
    "fn",
    [ml.asymmetric_loss, ml.normalized_softmax_crossentropy, ml.multilabel_categorical_crossentropy],
)
def test_finite_at_extreme_logits(fn):
    assert np.all(np.isfinite(fn(Y, EXTREME).numpy()))


def test_normalized_softmax_matches_tf_and_cce():
    rows = Y.sum(-1) > 0
    want = tf.nn.softmax_cross_entropy_with_logits(
        labels=Y[rows] / Y[rows].sum(-1, keepdims=True), logits=X[rows]
    )
    got = ml.normalized_softmax_crossentropy(Y, X).numpy()
    assert np.allclose(got[rows], want.numpy(), rtol=1e-6) and got[~rows] == 0
    one_hot = np.eye(5, dtype=np.float32)[[0, 3, 4]]
    cce = keras.losses.categorical_crossentropy(one_hot, X, from_logits=True)
    assert np.allclose(ml.normalized_softmax_crossentropy(one_hot, X).numpy(), np.asarray(cce), rtol=1e-6)


def test_zlpr_single_label_is_bce_and_empty_rows_finite():
    y, s = np.array([[1.0], [0.0]]), np.array([[0.7], [-1.3]])
    assert np.allclose(ml.multilabel_categorical_crossentropy(y, s).numpy(), bce(y, s)[:, 0])
    got = ml.multilabel_categorical_crossentropy(np.zeros((1, 3)), np.array([[1.0, 2.0, 3.0]])).numpy()
    assert np.isclose(got[0], np.log(1 + np.exp([1.0, 2.0, 3.0]).sum()))


def test_abs_kl_is_symmetric_jeffreys_and_clipped():
    p, q = np.array([[0.2, 0.5, 1.0]]), np.array([[0.4, 0.1, 1.0]])
    want = ((p - q) * np.log(p / q)).sum(-1)  # the abs changes nothing: same sign factors
    assert np.allclose(ml.abs_kl_divergence(p, q).numpy(), want)
    assert np.allclose(ml.abs_kl_divergence(q, p).numpy(), want)
    assert np.isfinite(ml.abs_kl_divergence(np.array([[1.0, 0.0]]), np.array([[0.0, 0.3]])).numpy()).all()


@pytest.mark.parametrize(
    "fn",
    [
        lambda z: ml.asymmetric_loss(Y.astype(np.float64), z, 1.0, 4.0, 0.05),
        lambda z: ml.normalized_softmax_crossentropy(Y.astype(np.float64), z),
        lambda z: ml.multilabel_categorical_crossentropy(Y.astype(np.float64), z),
        lambda z: ml.abs_kl_divergence(Y.astype(np.float64), tf.sigmoid(z)),
        lambda z: ml.partition_kl_mse_loss(Y[:, :4].astype(np.float64), z),
        lambda z: ml.partition_poisson_loss(Y[:, :4].astype(np.float64), z),
    ],
    ids=["asl", "normalized", "zlpr", "abs_kl", "partition_mse", "partition_poisson"],
)
def test_gradients_match_finite_differences(fn):
    x = np.array([[0.7, -1.5, 2.0, -3.5, 1.1], [1.2, -0.4, 0.3, -2.2, 0.9], [-0.6, 1.7, 0.2, 2.5, -1.0]])
    assert gradient_check(fn, x).ok


def test_partition_losses():
    y = np.array([[1, 1, 0], [0, 0, 0]], np.float32)
    outputs = np.array([[2.0, 2.0, -5.0, 2.0], [0.0, 0.0, 0.0, -3.0]], np.float32)
    got = ml.partition_kl_mse_loss(y, outputs).numpy()
    kl = np.log(0.5) * 0 + (
        -(0.5 * np.log(0.5 * 0 + np.exp(2) / (2 * np.exp(2) + np.exp(-5))) * 2) + np.log(0.5)
    )
    assert np.isclose(got[0], kl, atol=1e-5)
    assert np.isclose(got[1], 0.01**2)  # empty row: no KL; count clipped at 0.01, target 0
    scores, counts = ml.partition_scores(outputs)
    assert np.allclose(counts, [2.0, 0.01]) and np.allclose(scores.sum(-1), counts)
    poisson = ml.partition_poisson_loss(y, outputs).numpy()
    assert np.isclose(poisson[1], np.exp(-3.0))  # rate - 0 * log(rate)
    assert np.all(np.isfinite(ml.partition_abs_kl_loss(y, outputs).numpy()))


def test_sigmoid_abs_kl_loss_is_abs_kl_of_sigmoid():
    want = ml.abs_kl_divergence(Y, tf.sigmoid(X)).numpy()
    assert np.allclose(ml.sigmoid_abs_kl_loss(Y, X).numpy(), want)


def test_mean_over_labels_is_a_keras_loss():
    loss = ml.mean_over_labels(ml.asymmetric_loss, gamma_neg=2.0)
    assert loss.__name__ == "asymmetric_loss"
    assert loss(Y, X).shape == (3,)


def test_bad_inputs_are_refused_with_a_message():
    with pytest.raises(ValueError, match="must match"):
        ml.asymmetric_loss(Y, X[:, :3])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ml.normalized_softmax_crossentropy(Y * 2, X)
    with pytest.raises(ValueError, match="non-negative"):
        ml.abs_kl_divergence(Y, -X)
    with pytest.raises(ValueError, match="clip"):
        ml.asymmetric_loss(Y, X, clip=1.5)
    with pytest.raises(ValueError, match="K \\+ 1"):
        ml.split_partition_outputs(np.zeros(3))
    with pytest.raises(ValueError, match="count_head"):
        ml.partition_scores(np.zeros((2, 3)), "gaussian")


def test_abs_kl_price_of_a_false_positive_as_lesson_07_states_it():
    """Lesson 07, section 4: a negative label predicted at q costs about q log(q / eps): 9 to 16 times q for
    q in [0.001, 1]; against BCE's -log(1 - q) the ratio is 9 to 13 only for q in [0.001, 0.7]."""
    bce = keras.losses.BinaryCrossentropy(reduction=None)

    def costs(q):
        kl = float(ml.abs_kl_divergence(np.zeros((1, 1)), np.full((1, 1), q))[0])
        ce = float(bce(np.zeros((1, 1)), np.full((1, 1), q))[0])
        return kl, ce

    for q in (1e-3, 1e-2, 0.1, 0.5, 0.9, 1.0):
        assert 9.0 <= costs(q)[0] / q <= 16.2
    ratios = {q: costs(q)[0] / costs(q)[1] for q in (1e-4, 1e-3, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99)}
    assert all(9.0 <= ratios[q] <= 13.5 for q in (1e-3, 0.1, 0.3, 0.5, 0.7))
    assert ratios[1e-4] < 9.0 and ratios[0.9] < 9.0 and ratios[0.99] < 4.0  # the condition matters
