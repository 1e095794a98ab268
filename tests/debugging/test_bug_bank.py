"""Tests for losslab.debugging.bug_bank: each specimen shows its bug, and the diagnostics name it."""

import numpy as np
import pytest

from losslab.debugging import bug_bank
from losslab.debugging.diagnostics import check_initial_loss, check_loss_gradient, overfit_one_batch
from losslab.environment.runtime import import_tensorflow_quietly

tf, keras = import_tensorflow_quietly()

Y = np.array([[1, 0, 1, 0], [0, 0, 1, 1]], dtype=np.float32)
Z = np.array([[1.5, -0.7, 0.3, -2.0], [0.4, -1.1, 2.2, 0.9]], dtype=np.float32)


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(0)
    x = rng.random((16, 256)).astype(np.float32)
    y = (rng.random((16, 10)) < 0.3).astype(np.float32)
    return x, y


def test_references_agree_with_keras():
    keras_bce = keras.losses.BinaryCrossentropy(from_logits=True, reduction=None)(Y, Z)
    np.testing.assert_allclose(bug_bank.asker_loss(Y, Z), keras_bce, rtol=1e-6)
    np.testing.assert_allclose(bug_bank.mean_bce(Y, Z), keras_bce, rtol=1e-6)
    assert check_loss_gradient(bug_bank.mean_bce, Y, Z).ok


def test_summed_is_k_times_the_mean():
    np.testing.assert_allclose(bug_bank.summed_bce(Y, Z), 4 * bug_bank.mean_bce(Y, Z), rtol=1e-6)


def test_missing_minus_is_the_negative():
    np.testing.assert_allclose(bug_bank.bce_missing_minus(Y, Z), -bug_bank.mean_bce(Y, Z), rtol=1e-5)


def test_naive_bce_overflows_where_the_fused_form_does_not():
    big = tf.constant([[-20.0, 20.0]])
    labels = tf.constant([[1.0, 0.0]])
    assert np.isinf(bug_bank.naive_bce(labels, big).numpy()).all()
    assert np.isfinite(bug_bank.mean_bce(labels, big).numpy()).all()


def test_rounded_logits_have_no_gradient():
    assert not check_loss_gradient(bug_bank.rounded_logits_bce, Y, Z).ok


def test_cce_on_sigmoid_outputs_ignores_negatives():
    probs = np.array([[0.9, 0.99, 0.9, 0.99]], dtype=np.float32)  # confident *wrong* on the two negatives
    perfect = np.array([[0.9, 0.01, 0.9, 0.01]], dtype=np.float32)
    y = Y[:1]
    np.testing.assert_allclose(
        bug_bank.cce_on_sigmoid_outputs(y, probs), bug_bank.cce_on_sigmoid_outputs(y, perfect)
    )


def test_canvas_mlp_and_the_diagnostics(batch):
    x, y = batch
    model = bug_bank.canvas_mlp()
    assert np.asarray(model(x)).shape == (16, 10)
    assert bug_bank.canvas_mlp("sigmoid").layers[-1].name == "sigmoid"
    np.testing.assert_array_equal(model.get_weights()[0], bug_bank.canvas_mlp().get_weights()[0])  # seeded
    assert check_initial_loss(model, x, y, bug_bank.mean_bce).ok
    assert not check_initial_loss(model, x, y, bug_bank.summed_bce).ok
    assert not check_initial_loss(model, x, y, bug_bank.bce_missing_minus).ok
    assert overfit_one_batch(model, x, y, bug_bank.mean_bce, steps=100, learning_rate=0.02).ok


def test_show_code(capsys):
    bug_bank.show_code(bug_bank.summed_bce)
    out = capsys.readouterr().out
    assert out.startswith("def summed_bce(y, logits):")
    assert "reduce_sum" in out
