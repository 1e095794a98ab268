"""What Keras does in compile / fit: metric resolution, class_weight, F1Score, optimiser defaults,
multi-output losses, focal loss (lessons 04-09)."""

import numpy as np
import pytest


def _fixed_output_model(keras, outputs):
    """A model whose prediction for every input is ``outputs`` (a bias-only Dense layer)."""
    outputs = np.asarray(outputs, np.float32)
    inputs = keras.Input((1,))
    out = keras.layers.Dense(
        outputs.size, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(outputs)
    )(inputs)
    return keras.Model(inputs, out)


@pytest.mark.parametrize("loss", ["binary_crossentropy", "categorical_crossentropy", "mse"])
def test_l04_s3_l05_l09_accuracy_string_is_categorical_accuracy_by_shape_whatever_the_loss(keras, loss):
    """metrics=['accuracy'] with (batch, K > 1) targets and outputs compares argmax(prediction) with
    argmax(target): the first true label of a multi-hot row, not 'any true label'."""
    model = _fixed_output_model(keras, [0.1, 0.2, 0.9])  # argmax 2
    model.compile(loss=loss, metrics=["accuracy"])
    x = np.zeros((2, 1), np.float32)
    y = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]], np.float32)  # argmax 0 and 2
    result = model.evaluate(x, y, verbose=0, return_dict=True)
    assert result["accuracy"] == pytest.approx(0.5)  # row 1 counts wrong although label 2 is true
    binary = keras.metrics.BinaryAccuracy()(y, np.array([[0.1, 0.2, 0.9]] * 2, np.float32))
    assert float(binary) != pytest.approx(0.5)


def test_l04_s3_accuracy_string_with_one_output_is_binary_accuracy(keras):
    model = _fixed_output_model(keras, [0.7])
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    result = model.evaluate(np.zeros((2, 1)), np.array([[1.0], [0.0]]), verbose=0, return_dict=True)
    assert result["accuracy"] == pytest.approx(0.5)  # 0.7 > 0.5 is right for the 1, wrong for the 0


def test_l04_s4_l05_binary_accuracy_is_high_on_mostly_zero_labels_for_an_all_zero_prediction(keras):
    y = np.zeros((100, 50), np.float32)
    y[np.arange(100), np.arange(100) % 50] = 1.0  # one positive in 50
    acc = float(keras.metrics.BinaryAccuracy()(y, np.zeros_like(y)))
    assert acc == pytest.approx(0.98)
    assert keras.metrics.BinaryAccuracy().threshold == 0.5


def _row_weights(keras, y, class_weight):
    """The weight Keras gives each row under ``class_weight``, read from fit's reported loss."""

    def unit_loss(y_true, y_pred):  # every row's loss is exactly 1, so the batch loss is its weight
        return keras.ops.mean(keras.ops.ones_like(y_pred), axis=-1) + 0.0 * keras.ops.sum(y_pred, axis=-1)

    weights = []
    for row in y:
        model = _fixed_output_model(keras, np.zeros(y.shape[1]))
        model.compile(optimizer=keras.optimizers.SGD(0.0), loss=unit_loss)
        history = model.fit(np.zeros((1, 1)), row[None], class_weight=class_weight, epochs=1, verbose=0)
        weights.append(history.history["loss"][0])
    return np.array(weights)


def test_l05_case7_l06_s4_class_weight_on_multi_hot_rows_weights_by_the_argmax_label(keras):
    """A multi-hot row gets the weight of its first true label; an all-zero row that of label 0."""
    y = np.array(
        [[0, 0, 0, 1], [1, 0, 0, 1], [0, 0, 1, 1], [0, 0, 0, 0]],
        np.float32,
    )
    class_weight = {0: 0.5, 1: 1.0, 2: 3.0, 3: 50.0}
    assert np.allclose(_row_weights(keras, y, class_weight), [50.0, 0.5, 3.0, 0.5])


def test_l04_l05_f1score_threshold_none_takes_the_argmax(keras):
    y = np.array([[1.0, 0.0, 1.0]], np.float32)
    p = np.array([[0.9, 0.1, 0.8]], np.float32)
    assert keras.metrics.F1Score().threshold is None
    argmax = float(keras.metrics.F1Score(average="micro")(y, p))
    thresholded = float(keras.metrics.F1Score(average="micro", threshold=0.5)(y, p))
    assert argmax == pytest.approx(2 / 3, abs=1e-6)  # only label 0 predicted
    assert thresholded == pytest.approx(1.0)


def test_l07_l09_keras_3_adadelta_default_learning_rate_is_0_001(keras):
    assert keras.optimizers.Adadelta().learning_rate.numpy() == pytest.approx(0.001)


def test_l08_s2_multi_output_total_loss_is_the_weighted_sum_of_named_head_losses(keras):
    inputs = keras.Input((2,))
    heads = {
        name: keras.layers.Dense(3, name=name, bias_initializer=keras.initializers.Constant(b))(inputs)
        for name, b in (("left", [0.0, 1.0, 2.0]), ("right", [2.0, 0.0, -1.0]))
    }
    model = keras.Model(inputs, heads)
    model.compile(
        loss={name: keras.losses.SparseCategoricalCrossentropy(from_logits=True) for name in heads},
        loss_weights={"left": 1.0, "right": 1.0},
    )
    x = np.ones((4, 2), np.float32)
    y = {"left": np.array([0, 1, 2, 2]), "right": np.array([1, 1, 0, 2])}
    result = model.evaluate(x, y, verbose=0, return_dict=True)
    assert result["loss"] == pytest.approx(result["left_loss"] + result["right_loss"], rel=1e-5)


def test_l06_s5_focal_alpha_default_0_25_applies_only_with_apply_class_balancing(tf, keras):
    focal = keras.losses.BinaryFocalCrossentropy(from_logits=True)
    assert focal.alpha == pytest.approx(0.25)
    assert focal.apply_class_balancing is False
    assert focal.gamma == pytest.approx(2.0)
    y = tf.constant([[1.0, 0.0, 1.0]])
    x = tf.constant([[-1.0, 0.5, 2.0]])

    def loss(**kw):
        return float(keras.losses.BinaryFocalCrossentropy(from_logits=True, **kw)(y, x))

    assert loss(alpha=0.9) == pytest.approx(loss(), rel=1e-6)  # alpha ignored without balancing
    assert loss(apply_class_balancing=True) != pytest.approx(loss(), rel=1e-3)
    assert loss(apply_class_balancing=True, alpha=0.9) != pytest.approx(
        loss(apply_class_balancing=True), rel=1e-3
    )


def test_l06_s7_focal_loss_moves_the_best_constant_prediction_from_0_014_to_about_0_17(keras):
    """For a label with base rate 0.014, the constant p minimising mean BCE is 0.014; for focal loss
    (gamma 2, no balancing) it is about 0.17 - moved up, but still below 0.5."""
    pi = 0.014
    p = np.linspace(0.001, 0.999, 9981, dtype=np.float32)
    ones, zeros = np.ones_like(p)[:, None], np.zeros_like(p)[:, None]

    def expected(fn):
        return pi * np.asarray(fn(ones, p[:, None])) + (1 - pi) * np.asarray(fn(zeros, p[:, None]))

    def focal(y, q):
        return keras.losses.binary_focal_crossentropy(y, q, gamma=2.0)

    best_bce = p[np.argmin(expected(keras.losses.binary_crossentropy))]
    best_focal = p[np.argmin(expected(focal))]
    assert best_bce == pytest.approx(pi, abs=2e-3)
    assert 0.15 < best_focal < 0.19


def test_l06_quiz_class_weight_labels_not_listed_weigh_1(keras):
    """class_weight={9: 50}: a row with a 2 and a 9 gets 1 (its argmax, 2, is not listed); a row whose
    only digit is 9 gets 50."""
    y = np.zeros((2, 10), np.float32)
    y[0, [2, 9]] = 1.0
    y[1, 9] = 1.0
    assert np.allclose(_row_weights(keras, y, {9: 50.0}), [1.0, 50.0])
