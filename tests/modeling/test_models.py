"""Tests for losslab.modeling.models: shapes, logits outputs, shared weights, clear errors."""

import numpy as np
import pytest

from losslab.environment.runtime import set_seeds
from losslab.modeling.models import build_canvas_cnn, build_dense_classifier, probability_model


@pytest.fixture(scope="module")
def cnn():
    set_seeds(0)
    return build_canvas_cnn(num_outputs=10, filters=(4, 8), dense_units=16)


def test_cnn_outputs_logits_of_the_right_shape(cnn):
    x = np.random.default_rng(0).random((3, 16, 16, 1)).astype(np.float32)
    out = np.asarray(cnn(x))
    assert out.shape == (3, 10)
    assert out.dtype == np.float32
    assert cnn.layers[-1].name == "logits"
    assert cnn.layers[-1].activation.__name__ == "linear"


def test_probability_model_shares_weights_and_applies_activation(cnn):
    x = np.random.default_rng(1).random((4, 16, 16, 1)).astype(np.float32)
    logits = np.asarray(cnn(x), dtype=np.float64)
    sig = np.asarray(probability_model(cnn, "sigmoid")(x))
    np.testing.assert_allclose(sig, 1 / (1 + np.exp(-logits)), rtol=1e-5)
    soft = np.asarray(probability_model(cnn, "softmax")(x))
    np.testing.assert_allclose(soft.sum(axis=1), 1.0, rtol=1e-5)
    # Changing the logits model's weights changes the probability model's output.
    predictor = probability_model(cnn, "sigmoid")
    kernel = cnn.get_layer("logits").kernel
    old = kernel.numpy()
    kernel.assign(old + 1.0)
    try:
        assert not np.allclose(np.asarray(predictor(x)), sig)
    finally:
        kernel.assign(old)


def test_probability_model_rejects_bad_input(cnn):
    with pytest.raises(ValueError, match="activation must be one of"):
        probability_model(cnn, "relu")
    with pytest.raises(TypeError, match="keras.Model"):
        probability_model("not a model")


def test_builders_reject_bad_arguments():
    with pytest.raises(ValueError, match="num_outputs"):
        build_canvas_cnn(num_outputs=0)
    with pytest.raises(ValueError, match="filters"):
        build_canvas_cnn(filters=(8, -1))
    with pytest.raises(ValueError, match="halve"):
        build_canvas_cnn(filters=(2, 2, 2, 2, 2))
    with pytest.raises(ValueError, match="input_dim"):
        build_dense_classifier(0, 3)


def test_dense_classifier_shapes():
    set_seeds(0)
    model = build_dense_classifier(5, 3, hidden_units=())
    assert np.asarray(model(np.zeros((2, 5), np.float32))).shape == (2, 3)
    assert len(model.layers) == 2  # input + logits: logistic regression
