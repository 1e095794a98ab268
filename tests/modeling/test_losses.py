"""The partition-function model's losses and the element-wise wrapper: closed forms, gradients, bad inputs."""

from __future__ import annotations

import numpy as np
import pytest

from losslab.debugging.gradcheck import gradient_check
from losslab.modeling import losses as ml
from losslab.modeling.keras_losses import keras_asymmetric_loss

RNG = np.random.default_rng(0)
Y = np.array([[1, 0, 1, 0, 0], [0, 0, 0, 0, 0], [0, 1, 0, 0, 1]], np.float32)
X = (RNG.normal(size=Y.shape) * 3).astype(np.float32)


@pytest.mark.parametrize(
    "fn",
    [
        lambda z: ml.partition_kl_mse_loss(Y[:, :4].astype(np.float64), z),
        lambda z: ml.partition_poisson_loss(Y[:, :4].astype(np.float64), z),
        lambda z: ml.partition_abs_kl_loss(Y[:, :4].astype(np.float64), z),
    ],
    ids=["partition_mse", "partition_poisson", "partition_abs_kl"],
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
    abs_kl = ml.partition_abs_kl_loss(y, outputs).numpy()
    q = np.maximum(scores, 1e-7)  # Z * P, both clipped at epsilon; nothing clipped above 1
    p = np.maximum(y, 1e-7)
    assert np.allclose(abs_kl, ((p - q) * np.log(p / q)).sum(-1), rtol=1e-5)


def test_mean_over_labels_is_a_keras_loss():
    loss = ml.mean_over_labels(keras_asymmetric_loss, gamma_neg=2.0)
    assert loss.__name__ == "keras_asymmetric_loss"
    assert loss(Y, X).shape == (3,)


def test_bad_inputs_are_refused_with_a_message():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ml.partition_kl_mse_loss(Y[:, :4] * 2, X)
    with pytest.raises(ValueError, match="K \\+ 1"):
        ml.split_partition_outputs(np.zeros(3))
    with pytest.raises(ValueError, match="count_head"):
        ml.partition_scores(np.zeros((2, 3)), "gaussian")
