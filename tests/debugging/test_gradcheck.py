"""gradcheck: GradientTape against central differences in float64."""

import numpy as np
import pytest

from losslab.debugging.gradcheck import gradient_check, numerical_gradient, tape_gradient


def test_right_gradient_passes(tf):
    x = np.array([[0.5, -1.0, 2.0], [3.0, 0.1, -0.7]])
    result = gradient_check(lambda z: tf.reduce_sum(z**3, axis=-1), x)
    assert result.ok
    assert result.analytic.shape == x.shape
    assert result.max_abs_error < 1e-6
    assert "gradient OK" in str(result)


def test_wrong_gradient_is_caught(tf):
    @tf.custom_gradient
    def bad_square(z):
        return z * z, lambda up: up * z  # should be 2 z

    result = gradient_check(bad_square, np.array([1.0, -2.0, 3.0]))
    assert not result.ok
    assert "MISMATCH" in str(result)
    np.testing.assert_allclose(result.numeric, 2 * result.analytic, rtol=1e-5)


def test_weights_move_gradient_between_examples_visibly(tf):
    """With unit weights the gradient of sum(f) is returned; seeded weights scale each output."""
    x = np.array([1.0, 2.0, 3.0])
    plain = tape_gradient(lambda z: z * z, x, weights_seed=None)
    np.testing.assert_allclose(plain, 2 * x)
    weighted = tape_gradient(lambda z: z * z, x, weights_seed=0)
    assert not np.allclose(weighted, plain)
    np.testing.assert_allclose(numerical_gradient(lambda z: z * z, x, weights_seed=0), weighted, rtol=1e-7)


def test_float32_function_still_checked_in_float64(tf):
    x = np.array([0.3, -0.2])
    result = gradient_check(lambda z: tf.exp(z), x)
    assert result.analytic.dtype == np.float64
    assert result.ok


def test_function_leaving_tensorflow_is_explained(tf):
    with pytest.raises(ValueError, match="no path"):
        gradient_check(lambda z: tf.constant(np.sum(np.asarray(z) ** 2)), np.array([1.0, 2.0]))


@pytest.mark.parametrize("bad", [np.array([]), np.array([1.0, np.nan]), np.array([np.inf])])
def test_bad_points_are_refused(tf, bad):
    with pytest.raises(ValueError):
        gradient_check(lambda z: z * z, bad)


def test_nan_gradient_fails(tf):
    x = np.array([-1e4, 1.0])
    result = gradient_check(lambda z: 1.0 / (1.0 + tf.exp(-z)), x)
    assert not result.ok
