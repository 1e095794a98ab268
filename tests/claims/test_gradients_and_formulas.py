"""Loss formulas and their gradients as TensorFlow computes them (lessons 02, 03, 05, 06, 07)."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

Y_ROWS = [[1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]  # multi-hot, empty, one-hot
X_ROWS = [[1.0, 2.0, 3.0]] * 3


def _softmax_ce_grads(tf, keras):
    y, x = tf.constant(Y_ROWS), tf.Variable(X_ROWS)
    with tf.GradientTape(persistent=True) as tape:
        nn = tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=x)
        ks = keras.losses.CategoricalCrossentropy(from_logits=True, reduction=None)(y, x)
    return nn.numpy(), tape.gradient(nn, x).numpy(), tape.gradient(ks, x).numpy()


def test_l02_s7_softmax_ce_value_is_right_for_any_label_row(tf, keras, default_kernels):
    value, _, _ = _softmax_ce_grads(tf, keras)
    log_p = np.log(np.exp(X_ROWS) / np.exp(X_ROWS).sum(1, keepdims=True))
    assert np.allclose(value, -(np.array(Y_ROWS) * log_p).sum(1), rtol=1e-6)


def test_l02_s8_l04_l07_l09_softmax_ce_default_gradient_is_softmax_minus_y(tf, keras, default_kernels):
    """TensorFlow's default kernel: gradient softmax(x) - y for every row, right only if it sums to 1.
    Row [1,1,0] at logits [1,2,3]: [-0.910, -0.755, 0.665] (true [-0.820, -0.511, 1.331]);
    an all-zero row gets softmax(x) instead of 0. Keras' CategoricalCrossentropy(from_logits=True)
    uses the same op."""
    _, grad_nn, grad_keras = _softmax_ce_grads(tf, keras)
    p = np.exp(X_ROWS[0]) / np.exp(X_ROWS[0]).sum()
    assert np.allclose(grad_nn[0], [-0.910, -0.755, 0.665], atol=1e-3)
    assert np.allclose(2 * p - np.array(Y_ROWS[0]), [-0.820, -0.511, 1.331], atol=1e-3)
    assert np.allclose(grad_nn[1], p, atol=1e-6)
    assert np.allclose(grad_nn[2], p - np.array(Y_ROWS[2]), atol=1e-6)
    assert np.allclose(grad_keras, grad_nn, atol=1e-6)


_DETERMINISM_SCRIPT = textwrap.dedent(
    """
    import json, os
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import keras, tensorflow as tf
    tf.config.experimental.enable_op_determinism()
    y, x = tf.constant({y}), tf.Variable({x})
    with tf.GradientTape(persistent=True) as tape:
        nn = tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=x)
        ks = keras.losses.CategoricalCrossentropy(from_logits=True, reduction=None)(y, x)
    print(json.dumps([tape.gradient(nn, x).numpy().tolist(), tape.gradient(ks, x).numpy().tolist()]))
    """
)


def test_l02_s8_l04_l07_softmax_ce_gradient_is_true_under_op_determinism():
    """With tf.config.experimental.enable_op_determinism() (global, irreversible: run in a fresh
    process) TensorFlow computes -sum(y log_softmax) and the gradient is (sum y) softmax - y."""
    script = _DETERMINISM_SCRIPT.format(y=Y_ROWS, x=X_ROWS)
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    grad_nn, grad_keras = (np.array(g) for g in json.loads(out.stdout.strip().splitlines()[-1]))
    p = np.exp(X_ROWS[0]) / np.exp(X_ROWS[0]).sum()
    true = np.sum(Y_ROWS, axis=1, keepdims=True) * p - np.array(Y_ROWS)
    assert np.allclose(grad_nn, true, atol=1e-5)
    assert np.allclose(grad_keras, true, atol=1e-5)
    assert np.allclose(grad_nn[0], [-0.820, -0.511, 1.331], atol=1e-3)


def test_l02_s4_sparse_and_one_hot_cce_agree_and_integer_labels_into_cce_raise(tf, keras):
    labels = np.array([3, 0, 7])
    logits = tf.random.stateless_normal((3, 10), seed=(1, 2)) * 2.0
    sparse = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)(labels, logits)
    dense = keras.losses.CategoricalCrossentropy(from_logits=True, reduction=None)(
        tf.one_hot(labels, 10), logits
    )
    assert np.allclose(sparse.numpy(), dense.numpy(), rtol=1e-6)
    with pytest.raises(ValueError):
        keras.losses.CategoricalCrossentropy(from_logits=True)(labels, logits)


def test_l05_case11_sparse_cce_with_one_hot_labels_and_integer_labels_into_tf_nn_fail(tf, keras):
    logits = tf.zeros((3, 4))
    with pytest.raises((ValueError, tf.errors.InvalidArgumentError)):
        keras.losses.SparseCategoricalCrossentropy(from_logits=True)(tf.one_hot([0, 1, 2], 4), logits)
    with pytest.raises((TypeError, ValueError, tf.errors.InvalidArgumentError)):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant([[1, 0, 1, 0]] * 3), logits=logits)


def test_l03_s3_sigmoid_cross_entropy_with_logits_is_max_x_0_minus_xz_plus_log1p_exp_minus_abs_x(tf):
    z = np.array([1.0, 0.0, 1.0, 0.0, 0.3, 1.0], np.float32)
    x = np.array([-1e4, 1e4, 50.0, -3.0, 0.7, 0.0], np.float32)
    formula = np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))
    got = tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x).numpy()
    assert np.allclose(got, formula, rtol=1e-6)


def test_l03_s3_autodiff_of_the_max_abs_formula_gives_1_minus_z_at_x_0(tf):
    """At x = 0: d max(x,0)/dx = 1 (the right-hand slope), d|x|/dx = 0 (neither one-sided slope,
    which are -1 and +1), so the tape gives 1 - z where the true gradient is 0.5 - z."""
    x = tf.Variable([0.0, 0.0])
    z = tf.constant([1.0, 0.0])
    with tf.GradientTape(persistent=True) as tape:
        mx, ab = tf.maximum(x, 0.0), tf.abs(x)
        loss = mx - x * z + tf.math.log1p(tf.exp(-ab))
        builtin = tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x)
    assert np.allclose(tape.gradient(mx, x).numpy(), [1.0, 1.0])
    assert np.allclose(tape.gradient(ab, x).numpy(), [0.0, 0.0])
    assert np.allclose(tape.gradient(loss, x).numpy(), 1.0 - z.numpy())
    assert np.allclose(tape.gradient(builtin, x).numpy(), 0.5 - z.numpy())


def test_l03_s7_l01_s5_keras_bce_is_the_mean_over_labels(tf, keras):
    y = tf.cast(tf.random.stateless_uniform((8, 4096), seed=(0, 1)) < 0.1, tf.float32)
    x = tf.Variable(tf.zeros((8, 4096)))
    with tf.GradientTape(persistent=True) as tape:
        mean_loss = keras.losses.BinaryCrossentropy(from_logits=True)(y, x)
        sum_loss = tf.reduce_mean(
            tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=x), -1)
        )
    assert float(mean_loss) == pytest.approx(np.log(2), rel=1e-5)
    assert float(sum_loss) == pytest.approx(4096 * np.log(2), rel=1e-5)
    ratio = tf.norm(tape.gradient(sum_loss, x)) / tf.norm(tape.gradient(mean_loss, x))
    assert float(ratio) == pytest.approx(4096, rel=1e-4)


def test_l03_s9_caffe_sigmoid_cross_entropy_loss_is_the_same_function(tf):
    z = tf.constant([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0]])
    x = tf.constant([[3.0, -2.0, -50.0, 80.0], [0.0, 1e4, -1e4, 0.5]])
    pos = tf.cast(x >= 0, tf.float32)
    caffe = -(x * (z - pos) - tf.math.log1p(tf.exp(x - 2.0 * x * pos)))
    assert np.allclose(
        caffe.numpy(), tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x).numpy(), rtol=1e-6
    )


def test_l03_s10_tf_has_no_sigmoid_cross_entropy_mean_and_tf1_loss_is_the_mean(tf, keras):
    assert not hasattr(tf.nn, "sigmoid_cross_entropy_mean")
    labels = tf.constant([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    logits = tf.constant([[2.0, -1.0, 0.3], [0.5, 3.0, -4.0]])
    mean = float(tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)))
    assert float(keras.losses.BinaryCrossentropy(from_logits=True)(labels, logits)) == pytest.approx(
        mean, rel=1e-6
    )
    assert float(tf.compat.v1.losses.sigmoid_cross_entropy(labels, logits)) == pytest.approx(mean, rel=1e-6)


def test_l03_s10_l05_case14_gradient_through_tf_round_is_none(tf):
    x = tf.Variable([[2.0, -1.0, 0.3]])
    with tf.GradientTape() as tape:
        loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones((1, 3)), logits=tf.round(x))
    assert tape.gradient(loss, x) is None


def test_l06_s3_weighted_cross_entropy_with_logits_multiplies_only_the_positive_term(tf):
    y = tf.constant([[1.0, 0.0]])
    x = tf.constant([[-2.0, -2.0]])
    plain = tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=x).numpy()[0]
    weighted = tf.nn.weighted_cross_entropy_with_logits(labels=y, logits=x, pos_weight=10.0).numpy()[0]
    assert weighted[0] == pytest.approx(10 * plain[0], rel=1e-6)
    assert weighted[1] == pytest.approx(plain[1], rel=1e-6)


def test_l07_clipped_count_head_max_0_01_has_zero_gradient_below_0_01(tf):
    z = tf.Variable([-1.0, 0.005, 0.5])
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(tf.maximum(0.01, z))
    assert np.allclose(tape.gradient(out, z).numpy(), [0.0, 0.0, 1.0])


def test_l07_log_poisson_loss_is_exp_z_minus_target_times_z(tf):
    z = tf.constant([0.3, -1.0, 2.0])
    t = tf.constant([1.0, 0.0, 4.0])
    assert np.allclose(tf.nn.log_poisson_loss(t, z).numpy(), (tf.exp(z) - t * z).numpy(), rtol=1e-6)


def test_l02_s7_keras_loss_objects_average_over_the_batch_functions_give_one_per_example(tf, keras):
    y = tf.one_hot([0, 2], 3)
    x = tf.constant([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]])
    per_example = keras.losses.categorical_crossentropy(y, x, from_logits=True).numpy()
    assert per_example.shape == (2,)
    unreduced = keras.losses.CategoricalCrossentropy(from_logits=True, reduction=None)(y, x).numpy()
    assert np.allclose(unreduced, per_example)
    assert float(keras.losses.CategoricalCrossentropy(from_logits=True)(y, x)) == pytest.approx(
        per_example.mean()
    )


def test_l06_s5_keras_focal_loss_without_balancing_is_1_minus_p_t_to_the_gamma_times_bce(tf, keras):
    y = tf.constant([[1.0, 0.0, 1.0, 0.0]])
    x = tf.constant([[-1.0, 0.5, 2.0, -3.0]])
    p = tf.sigmoid(x)
    p_t = y * p + (1 - y) * (1 - p)
    bce = tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=x)
    expected = tf.reduce_mean((1 - p_t) ** 2 * bce, axis=-1)
    got = keras.losses.binary_focal_crossentropy(y, x, gamma=2.0, from_logits=True)
    assert np.allclose(got.numpy(), expected.numpy(), rtol=1e-5)


def test_l05_case12_tf_nn_refuses_b_vs_b1_shapes(tf):
    with pytest.raises((ValueError, tf.errors.InvalidArgumentError)):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros(4), logits=tf.zeros((4, 1)))


def test_l05_case10_keras_losses_compute_in_float32_even_on_float16_outputs(tf, keras):
    """A float16 output (a mixed-precision model's) is cast to float32 inside Keras' loss, so the clip
    bound 1 - 1e-7 still exists: predicting exactly 1 for a negative costs 15.94, not inf."""
    p16 = tf.constant([[1.0]], tf.float16)
    loss = keras.losses.BinaryCrossentropy()(tf.constant([[0.0]]), p16)
    assert loss.dtype == tf.float32
    assert float(loss) == pytest.approx(15.942, abs=1e-3)


def test_l03_s10_l09_log_of_one_plus_exp_form_overflows_at_minus_89_log_sigmoid_does_not(tf):
    x = tf.constant(-89.0)
    assert np.isneginf((-tf.math.log(1.0 + tf.exp(-x))).numpy())
    assert tf.math.log_sigmoid(x).numpy() == pytest.approx(-89.0)


def test_l06_s5_keras_focal_from_logits_stays_exact_at_extreme_logits(tf, keras):
    """Keras' focal loss applies a sigmoid, then BCE on probabilities, which reuses the cached logits:
    with gamma 0 it is exactly BCE, 100 at logit -100 for a positive (not the clipped 16.1)."""
    y, x = tf.constant([[1.0]]), tf.constant([[-100.0]])
    loss = keras.losses.binary_focal_crossentropy(y, x, gamma=0.0, from_logits=True)
    assert float(loss[0]) == pytest.approx(100.0, rel=1e-5)


def test_l06_s5_keras_focal_class_balancing_weights_positives_by_alpha_negatives_by_1_minus_alpha(tf, keras):
    y = tf.constant([[1.0, 0.0, 1.0, 0.0]])
    x = tf.constant([[-1.0, 0.5, 2.0, -3.0]])
    p = tf.sigmoid(x)
    p_t = y * p + (1 - y) * (1 - p)
    alpha_t = y * 0.3 + (1 - y) * 0.7
    bce = tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=x)
    expected = tf.reduce_mean(alpha_t * (1 - p_t) ** 2 * bce, axis=-1)
    got = keras.losses.binary_focal_crossentropy(
        y, x, apply_class_balancing=True, alpha=0.3, gamma=2.0, from_logits=True
    )
    assert np.allclose(got.numpy(), expected.numpy(), rtol=1e-5)
