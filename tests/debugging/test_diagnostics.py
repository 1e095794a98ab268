"""Tests for losslab.debugging.diagnostics: each deliberately broken setup is caught, the healthy one passes."""

import warnings

import numpy as np
import pytest

from losslab.debugging.diagnostics import (
    Verdict,
    check_compiled_metrics,
    check_initial_loss,
    check_logits_vs_probabilities,
    check_loss_gradient,
    check_output_statistics,
    final_activation,
    loss_expects_logits,
    loss_uses_cached_logits,
    overfit_one_batch,
)
from losslab.environment.runtime import import_tensorflow_quietly, set_seeds
from losslab.modeling.models import build_dense_classifier

tf, keras = import_tensorflow_quietly()
K = 5


def bce_logits(y, z):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z), axis=-1)


def bce_summed(y, z):
    return tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z), axis=-1)


def bce_no_minus(y, z):
    p = tf.sigmoid(z)
    return tf.reduce_mean(y * tf.math.log(p) + (1 - y) * tf.math.log(1 - p), axis=-1)


def bce_rounded(y, z):
    return bce_logits(y, tf.round(z))


def softmax_ce(y, z):
    return tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 8)).astype(np.float32)
    y = (x[:, :K] > 0.3).astype(np.float32)
    return x, y


def _model(activation=None):
    set_seeds(0)
    model = build_dense_classifier(8, K, hidden_units=(16,))
    if activation is None:
        return model
    if activation == "lambda_sigmoid":  # structure hides the activation: only the range tells
        out = keras.layers.Lambda(lambda t: keras.ops.sigmoid(t), name="hidden_sigmoid")(model.output)
    else:
        out = keras.layers.Activation(activation, name="probs")(model.output)
    return keras.Model(model.input, out)


def test_verdict_prints_one_line():
    assert str(Verdict("x", True, "fine")) == "✔ x: fine"
    assert str(Verdict("x", False, "broken")) == "✘ x: broken"


def test_final_activation_reads_the_structure():
    assert final_activation(_model()) is None
    assert final_activation(_model("sigmoid")) == "sigmoid"
    assert final_activation(_model("softmax")) == "softmax"


def test_loss_expects_logits_by_probing():
    assert loss_expects_logits(bce_logits)
    assert loss_expects_logits(bce_summed)
    assert loss_expects_logits(keras.losses.BinaryCrossentropy(from_logits=True))
    assert not loss_expects_logits(keras.losses.BinaryCrossentropy(from_logits=False))


def test_healthy_setup_passes_everything(data):
    x, y = data
    model = _model()
    assert check_initial_loss(model, x, y, bce_logits).ok
    assert check_logits_vs_probabilities(model, x, bce_logits).ok
    assert check_loss_gradient(bce_logits, y[:4], np.random.default_rng(1).normal(size=(4, K))).ok
    verdict = overfit_one_batch(model, x, y, bce_logits, steps=100, learning_rate=0.05)
    assert verdict.ok, verdict
    assert verdict.details["wrong_labels"] == 0


def test_overfit_leaves_the_model_untouched(data):
    x, y = data
    model = _model()
    before = [w.copy() for w in model.get_weights()]
    overfit_one_batch(model, x, y, bce_logits, steps=20)
    for old, new in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)


@pytest.mark.parametrize("activation", ["sigmoid", "lambda_sigmoid"])
def test_sigmoid_applied_twice_is_caught(data, activation):
    x, y = data
    model = _model(activation)
    verdict = check_logits_vs_probabilities(model, x, bce_logits)
    assert not verdict.ok
    assert "twice" in verdict.message
    result = overfit_one_batch(model, x, y, bce_logits, steps=100, learning_rate=0.05, activation="none")
    assert not result.ok
    assert result.details["final_loss"] > 0.3  # the floor of the doubled sigmoid


def test_softmax_output_into_logits_loss_is_caught(data):
    x, _ = data
    assert not check_logits_vs_probabilities(_model("softmax"), x, softmax_ce).ok


def test_logits_into_probability_loss_is_caught(data):
    x, y = data
    loss = keras.losses.BinaryCrossentropy(from_logits=False)
    verdict = check_logits_vs_probabilities(_model(), x, loss)
    assert not verdict.ok
    assert "from_logits=True" in verdict.message


def test_probabilities_into_probability_loss_passes(data):
    x, _ = data
    model = _model("sigmoid")
    assert check_logits_vs_probabilities(model, x, keras.losses.BinaryCrossentropy()).ok


def test_sum_over_labels_is_caught(data):
    x, y = data
    verdict = check_initial_loss(_model(), x, y, bce_summed)
    assert not verdict.ok
    assert "sums over the 5 labels" in verdict.message


def test_missing_minus_sign_is_caught(data):
    x, y = data
    verdict = check_initial_loss(_model(), x, y, bce_no_minus)
    assert not verdict.ok
    assert "minus sign" in verdict.message
    result = overfit_one_batch(_model(), x, y, bce_no_minus, steps=60)
    assert not result.ok
    assert "minus sign" in result.message


def test_multiclass_initial_loss_is_ln_c(data):
    x, _ = data
    labels = np.eye(K, dtype=np.float32)[np.arange(len(x)) % K]
    ok = check_initial_loss(_model(), x, labels, softmax_ce, kind="multiclass")
    assert ok.ok
    assert ok.details["expected"] == pytest.approx(np.log(K))
    # softmax applied twice still starts near ln C: only the logits/probabilities check sees it
    assert check_initial_loss(_model("softmax"), x, labels, softmax_ce, kind="multiclass").ok
    assert not check_logits_vs_probabilities(_model("softmax"), x, softmax_ce).ok


def test_rounding_logits_is_caught(data):
    x, y = data
    verdict = check_loss_gradient(bce_rounded, y[:4], np.random.default_rng(2).normal(size=(4, K)))
    assert not verdict.ok
    assert not overfit_one_batch(_model(), x, y, bce_rounded, steps=30).ok


def softmax_ce_with_shortcut_gradient(y, z):
    """Softmax CE whose hand-written gradient assumes each label row sums to 1 (softmax - y)."""

    @tf.custom_gradient
    def loss(logits):
        def grad(upstream):
            return upstream[:, None] * (tf.nn.softmax(logits) - y)

        return -tf.reduce_sum(y * tf.nn.log_softmax(logits), axis=-1), grad

    return loss(z)


def test_a_wrong_gradient_is_caught():
    y = tf.constant([[1, 1, 0, 0, 0], [0, 0, 0, 0, 0]], tf.float64)
    logits = np.random.default_rng(3).normal(size=(2, K))
    verdict = check_loss_gradient(softmax_ce_with_shortcut_gradient, y, logits)
    assert not verdict.ok
    assert "disagree" in verdict.message
    one_hot = tf.constant(np.eye(K)[[1, 3]])
    assert check_loss_gradient(softmax_ce_with_shortcut_gradient, one_hot, logits).ok


def test_clipped_probability_loss_kills_the_gradient():
    y = np.array([[1, 0, 1, 0, 1]], dtype=np.float32)
    loss = keras.losses.BinaryCrossentropy(from_logits=False, reduction=None)
    verdict = check_loss_gradient(loss, y, np.array([[3.0, -2.5, 4.0, 2.0, -3.0]]))
    assert not verdict.ok
    assert "zero" in verdict.message


def test_collapse_to_base_rate_is_caught():
    rng = np.random.default_rng(4)
    y = (rng.random((200, K)) < 0.2).astype(np.float32)
    collapsed = np.broadcast_to(y.mean(axis=0), y.shape) + rng.normal(0, 0.01, y.shape)
    verdict = check_output_statistics(np.clip(collapsed, 0, 1), y)
    assert not verdict.ok
    assert "prior" in verdict.message
    informative = np.clip(0.8 * y + 0.1 + rng.normal(0, 0.05, y.shape), 0, 1)
    assert check_output_statistics(informative, y).ok


def test_bad_inputs_raise_clear_errors(data):
    x, y = data
    with pytest.raises(ValueError, match="0/1"):
        check_output_statistics(np.full((2, 2), 0.5), np.full((2, 2), 0.5))
    with pytest.raises(ValueError, match="logits"):
        check_output_statistics(np.full((2, 2), 3.0), np.ones((2, 2)))
    with pytest.raises(ValueError, match="must match"):
        check_initial_loss(_model(), x, y[:, :3], bce_logits)
    with pytest.raises(ValueError, match="kind"):
        check_initial_loss(_model(), x, y, bce_logits, kind="binary")
    with pytest.raises(ValueError, match="must match"):
        overfit_one_batch(_model(), x, y[:3], bce_logits)


def sigmoid_cce(y, p):
    """-sum y log p on sigmoid outputs: the negatives never enter the loss."""
    return -tf.reduce_sum(y * tf.math.log(p + 1e-7), axis=-1)


def test_loss_that_ignores_negatives_is_caught(data):
    x, y = data
    verdict = overfit_one_batch(
        _model("sigmoid"), x, y, sigmoid_cce, steps=100, learning_rate=0.05, activation="none"
    )
    assert not verdict.ok
    assert "still wrong" in verdict.message


def test_softmax_on_one_unit_is_caught(data):
    x, _ = data
    set_seeds(0)
    model = build_dense_classifier(8, 1)
    with warnings.catch_warnings(record=True) as caught:  # Keras warns about softmax on one unit
        warnings.simplefilter("always")
        one = keras.Model(model.input, keras.layers.Activation("softmax")(model.output))
        verdict = check_logits_vs_probabilities(one, x, keras.losses.BinaryCrossentropy())
    assert any("softmax" in str(w.message).lower() for w in caught)
    assert not verdict.ok
    assert "always exactly 1.0" in verdict.message


def test_compiled_metrics(data):
    x, y = data
    model = _model()
    model.compile(optimizer="adam", loss=bce_logits, metrics=["accuracy"])
    model.evaluate(x, y, verbose=0)
    verdict = check_compiled_metrics(model, y)
    assert not verdict.ok
    assert "CategoricalAccuracy" in verdict.message
    sparse = np.zeros_like(y)
    sparse[0, 0] = 1
    model.compile(optimizer="adam", loss=bce_logits, metrics=[keras.metrics.BinaryAccuracy()])
    model.evaluate(x, sparse, verbose=0)
    assert "mostly-zero labels" in check_compiled_metrics(model, sparse).message
    assert check_compiled_metrics(model, y).ok


def test_loss_uses_cached_logits_only_for_keras_losses():
    assert loss_uses_cached_logits(keras.losses.BinaryCrossentropy(from_logits=True), "sigmoid")
    assert loss_uses_cached_logits(keras.losses.BinaryCrossentropy(), "sigmoid")  # avoids the clip too
    assert loss_uses_cached_logits(keras.losses.CategoricalCrossentropy(from_logits=True), "softmax")
    assert not loss_uses_cached_logits(bce_logits, "sigmoid")  # tf.nn op: no rescue
    assert not loss_uses_cached_logits(softmax_ce, "softmax")
    assert not loss_uses_cached_logits(keras.losses.BinaryCrossentropy(from_logits=True), "relu")


def test_keras_rescue_of_a_doubled_sigmoid_agrees_with_training(data):
    """With a Keras loss the doubled sigmoid trains (cached logits): the verdict must not predict a floor."""
    x, y = data
    keras_bce = keras.losses.BinaryCrossentropy(from_logits=True)
    model = _model("sigmoid")
    verdict = check_logits_vs_probabilities(model, x, keras_bce)
    assert not verdict.ok and verdict.details["keras_uses_cached_logits"]
    assert "0.313" not in verdict.message and "rescue" in verdict.message
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=keras_bce)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = model.fit(x, y, epochs=60, batch_size=16, verbose=0).history["loss"]
    assert history[-1] < 0.3  # below the 0.313 / 0.693 floor the doubled sigmoid would have
