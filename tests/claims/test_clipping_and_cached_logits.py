"""Keras' cross-entropies on probabilities: the 1e-7 clip, its dead gradient, and the cached logits
that let Keras avoid it (lessons 02, 03, 05)."""

import warnings

import numpy as np
import pytest


def _grad(tf, loss_fn, x):
    v = tf.Variable(x)
    with tf.GradientTape() as tape:
        loss = loss_fn(v)
    return loss.numpy(), tape.gradient(loss, v).numpy()


def test_l02_s3_l03_s5_keras_epsilon_is_1e_7(keras):
    assert keras.config.epsilon() == pytest.approx(1e-7)


def test_l03_s5_keras_bce_clips_probabilities_at_1e_7_max_16_12_and_15_94(tf, keras):
    """Eager, plain tensors: the largest per-element BCE is -log(1e-7) = 16.118 (p -> 0, z = 1)
    and -log(1 - float32(1 - 1e-7)) = 15.942 (p -> 1, z = 0)."""
    y = tf.constant([[1.0, 0.0]])
    p = tf.constant([[0.0, 1.0]])
    loss = keras.ops.binary_crossentropy(y, p).numpy()[0]
    assert loss[0] == pytest.approx(16.118, abs=1e-3)
    assert loss[1] == pytest.approx(15.942, abs=1e-3)


def test_l03_s5_l05_case8_keras_bce_gradient_is_zero_outside_the_clip_band(tf, keras):
    """Eager, tf.sigmoid on a plain tensor: logits -30 and -17 (p < 1e-7) get gradient 0, -10 gets -1."""
    y = tf.constant([[1.0, 1.0, 1.0, 1.0, 0.0]])
    loss, grad = _grad(
        tf,
        lambda v: keras.ops.binary_crossentropy(y, tf.sigmoid(v)),
        [[-30.0, -17.0, -10.0, 0.0, 30.0]],
    )
    assert np.allclose(loss, [[16.118, 16.118, 10.0, 0.693, 15.942]], atol=1e-3)
    assert np.allclose(grad, [[0.0, 0.0, -1.0, -0.5, 0.0]], atol=1e-3)


def test_l02_s3_keras_cce_on_probabilities_is_capped_at_16_12(tf, keras):
    """Eager, tf.nn.softmax (a plain tensor): confidently wrong by 30 costs 16.118, gradient 0."""
    y = tf.constant([[0.0, 1.0, 0.0]])
    cce = keras.losses.CategoricalCrossentropy()
    loss, grad = _grad(tf, lambda v: cce(y, tf.nn.softmax(v)), [[30.0, 0.0, 0.0]])
    assert loss == pytest.approx(16.118, abs=1e-3)
    assert np.all(grad == 0.0)
    exact = keras.losses.CategoricalCrossentropy(from_logits=True)(y, tf.constant([[30.0, 0.0, 0.0]]))
    assert float(exact) == pytest.approx(30.0, abs=1e-4)


def test_l03_s6_keras_sigmoid_output_carries_its_logits_eager(tf, keras):
    """Eager: BCE() on keras.activations.sigmoid(x) / keras.ops.sigmoid(x) is the exact loss."""
    y = tf.constant([[1.0]])
    bce = keras.losses.BinaryCrossentropy()
    for act in (keras.activations.sigmoid, keras.ops.sigmoid):
        loss, grad = _grad(tf, lambda v, act=act: bce(y, act(v)), [[-100.0]])
        assert loss == pytest.approx(100.0)
        assert grad[0, 0] == pytest.approx(-1.0)
    y3, x3 = tf.constant([[0.0, 1.0, 1.0]]), tf.constant([[100.0, -100.0, 0.5]])
    assert float(keras.losses.binary_crossentropy(y3, keras.activations.sigmoid(x3))[0]) == pytest.approx(
        66.8247, abs=1e-3
    )
    assert float(keras.losses.binary_crossentropy(y3, tf.sigmoid(x3))[0]) == pytest.approx(10.8449, abs=1e-3)


def test_l03_s6_tf_sigmoid_is_recognised_inside_tf_function(tf, keras):
    """Graph mode: Keras sees the Sigmoid op and uses its input, so tf.sigmoid gets the exact loss."""
    y = tf.constant([[1.0]])
    bce = keras.losses.BinaryCrossentropy()
    v = tf.Variable([[-100.0]])

    @tf.function
    def value_and_grad():
        with tf.GradientTape() as tape:
            loss = bce(y, tf.sigmoid(v))
        return loss, tape.gradient(loss, v)

    loss, grad = value_and_grad()
    assert float(loss) == pytest.approx(100.0)
    assert float(grad[0, 0]) == pytest.approx(-1.0)


def test_l03_s6_clip_bites_in_graph_mode_when_an_op_stands_between_sigmoid_and_loss(tf, keras):
    y = tf.constant([[1.0]])
    bce = keras.losses.BinaryCrossentropy()
    v = tf.Variable([[-100.0]])

    @tf.function
    def value_and_grad():
        with tf.GradientTape() as tape:
            loss = bce(y, tf.reshape(tf.sigmoid(v), (1, 1)))
        return loss, tape.gradient(loss, v)

    loss, grad = value_and_grad()
    assert float(loss) == pytest.approx(16.118, abs=1e-3)
    assert float(grad[0, 0]) == 0.0


def test_l02_s3_l03_s6_keras_softmax_output_and_tf_nn_softmax_in_tf_function_carry_logits(tf, keras):
    y = tf.constant([[0.0, 1.0, 0.0]])
    cce = keras.losses.CategoricalCrossentropy()
    loss, grad = _grad(tf, lambda v: cce(y, keras.activations.softmax(v)), [[30.0, 0.0, 0.0]])
    assert loss == pytest.approx(30.0, abs=1e-4)
    assert np.allclose(grad, [[1.0, -1.0, 0.0]], atol=1e-6)
    v = tf.Variable([[30.0, 0.0, 0.0]])

    @tf.function
    def graph():
        with tf.GradientTape() as tape:
            loss = cce(y, tf.nn.softmax(v))
        return loss, tape.gradient(loss, v)

    loss, grad = graph()
    assert float(loss) == pytest.approx(30.0, abs=1e-4)
    assert np.allclose(grad.numpy(), [[1.0, -1.0, 0.0]], atol=1e-6)


def _sigmoid_model(keras, after=None):
    """Input (1,) -> Dense(1, sigmoid) with kernel 0 and bias -100, so its logit is -100; SGD(1)."""
    inputs = keras.Input((1,))
    out = keras.layers.Dense(
        1,
        activation="sigmoid",
        kernel_initializer="zeros",
        bias_initializer=keras.initializers.Constant(-100.0),
    )(inputs)
    if after is not None:
        out = after(out)
    model = keras.Model(inputs, out)
    model.compile(optimizer=keras.optimizers.SGD(1.0), loss=keras.losses.BinaryCrossentropy())
    return model


def test_l03_s5_quiz_clipping_sigmoid_output_layer_gets_exact_loss_and_gradient_in_fit(keras):
    """A model whose last layer is a sigmoid, BinaryCrossentropy(), positive label at logit -100:
    fit reports the exact loss 100, and one SGD(1) step moves the bias by +1 (gradient -1)."""
    model = _sigmoid_model(keras)
    x, y = np.zeros((1, 1), np.float32), np.ones((1, 1), np.float32)
    history = model.fit(x, y, epochs=1, batch_size=1, verbose=0)
    assert history.history["loss"][0] == pytest.approx(100.0)
    assert model.layers[-1].get_weights()[1][0] == pytest.approx(-99.0)


def test_l03_s5_clip_bites_in_fit_when_a_reshape_follows_the_sigmoid(keras):
    """Same model with a Reshape after the sigmoid (e.g. 4096 outputs shown as a 64 x 64 mask):
    fit reports the clipped 16.118 and the bias does not move (gradient 0)."""
    model = _sigmoid_model(keras, after=keras.layers.Reshape((1,)))
    x, y = np.zeros((1, 1), np.float32), np.ones((1, 1), np.float32)
    history = model.fit(x, y, epochs=1, batch_size=1, verbose=0)
    assert history.history["loss"][0] == pytest.approx(16.118, abs=1e-3)
    assert model.layers[1].get_weights()[1][0] == -100.0


def test_l03_s6_l05_from_logits_true_on_a_sigmoid_output_warns_and_uses_the_logits(tf, keras):
    y = tf.constant([[0.0, 1.0, 1.0]])
    x = tf.constant([[100.0, -100.0, 0.5]])
    with pytest.warns(UserWarning, match="produced by a Sigmoid activation"):
        loss = keras.losses.binary_crossentropy(y, keras.activations.sigmoid(x), from_logits=True)
    assert float(loss[0]) == pytest.approx(66.8247, abs=1e-3)


def test_l05_keras_bce_from_logits_true_in_fit_uses_the_sigmoid_layers_logits(keras):
    """Sigmoid output layer + BinaryCrossentropy(from_logits=True) in fit: the loss is the exact BCE
    of the logit (100 at -100), not the double-sigmoid value (-log sigmoid(sigmoid(-100)) = 0.693)."""
    inputs = keras.Input((1,))
    out = keras.layers.Dense(
        1,
        activation="sigmoid",
        kernel_initializer="zeros",
        bias_initializer=keras.initializers.Constant(-100.0),
    )(inputs)
    model = keras.Model(inputs, out)
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss=keras.losses.BinaryCrossentropy(from_logits=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Keras' "received from_logits=True" warning
        history = model.fit(np.zeros((1, 1)), np.ones((1, 1)), epochs=1, verbose=0)
    assert history.history["loss"][0] == pytest.approx(100.0)


def test_l03_s6_l05_tf_nn_applies_the_sigmoid_twice_outputs_in_0_5_to_0_731_floors_0_313_0_693(tf):
    inner = tf.sigmoid(tf.constant([-1e4, 1e4]))
    assert np.allclose(tf.sigmoid(inner).numpy(), [0.5, 0.7311], atol=1e-4)
    pos = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones(2), logits=inner).numpy()
    neg = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros(2), logits=inner).numpy()
    assert pos.min() == pytest.approx(0.3133, abs=1e-4)
    assert neg.min() == pytest.approx(0.6931, abs=1e-4)


def test_l05_keras_bce_on_a_one_unit_softmax_uses_its_cached_logit(tf, keras):
    """A one-unit softmax outputs 1.0 everywhere, yet Keras' BCE on it is the BCE of the logit."""
    x = tf.constant([[-3.0], [2.0]])
    y = tf.constant([[1.0], [0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "softmax over axis -1 of a tensor of shape (2, 1)"
        p = keras.activations.softmax(x)
    assert np.all(p.numpy() == 1.0)
    assert float(keras.losses.binary_crossentropy(y, p)[0]) == pytest.approx(
        float(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=x)[0, 0]), rel=1e-6
    )


def test_l01_s5_softmax_over_one_logit_is_always_1_and_keras_warns(keras):
    with pytest.warns(UserWarning, match="softmax over axis -1 of a tensor of shape"):
        out = keras.ops.softmax(np.array([[-3.0], [0.0], [8.0]]), axis=-1)
    assert np.all(keras.ops.convert_to_numpy(out) == 1.0)
