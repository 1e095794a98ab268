"""as_float_tensor: array-likes to float tensors, float64 kept."""

import numpy as np
import pytest

from losslab.modeling.tensors import as_float_tensor, expect_values_between, matching_float_pair


def test_lists_and_ints_become_float32(tf):
    assert as_float_tensor([[1.0, 2.0]]).dtype == tf.float32
    ints = as_float_tensor([[1, 2]])
    assert ints.dtype == tf.float32
    np.testing.assert_array_equal(ints.numpy(), [[1.0, 2.0]])
    assert as_float_tensor(np.array([True, False])).dtype == tf.float32


def test_float64_is_kept(tf):
    assert as_float_tensor(np.zeros(3)).dtype == tf.float64
    assert as_float_tensor(tf.Variable(np.ones(2))).dtype == tf.float64


def test_like_casts_to_the_other_dtype(tf):
    logits = as_float_tensor(np.zeros((2, 2)))
    y = as_float_tensor(np.array([[1, 0], [0, 1]]), like=logits)
    assert y.dtype == tf.float64
    assert as_float_tensor(np.ones(2), like=tf.zeros(2)).dtype == tf.float32


def test_a_variable_keeps_its_gradient(tf):
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(as_float_tensor(v) ** 2)
    np.testing.assert_allclose(tape.gradient(out, v).numpy(), [2.0, 4.0])


@pytest.mark.parametrize("bad", [None, "abc", [[1.0, 2.0], [3.0]]])
def test_non_numbers_are_refused(tf, bad):
    with pytest.raises(TypeError, match="tensor|None|strings"):
        as_float_tensor(bad)


def test_matching_float_pair_casts_targets_to_the_outputs_dtype_and_checks_shapes(tf):
    y, x = matching_float_pair([[1, 0]], np.array([[0.5, -1.0]], np.float64))
    assert y.dtype == x.dtype == tf.float64
    y, x = matching_float_pair([[1, 0]], [[2, 3]])
    assert x.dtype == tf.float32 and y.dtype == tf.float32
    with pytest.raises(ValueError, match="scores have shape \\(1, 3\\).*must match"):
        matching_float_pair([[1, 0]], [[1.0, 2.0, 3.0]], "scores")


def test_expect_values_between_checks_eagerly_and_not_inside_a_graph(tf):
    expect_values_between(tf.constant([0.0, 1.0]), 0.0, 1.0, "in [0, 1]")
    with pytest.raises(ValueError, match="in \\[0, 1\\]; got values from 0.0 to 2.0"):
        expect_values_between(tf.constant([0.0, 2.0]), 0.0, 1.0, "in [0, 1]")
    traced = tf.function(lambda t: (expect_values_between(t, 0.0, 1.0, "in [0, 1]"), t)[1])
    assert float(tf.reduce_max(traced(tf.constant([0.0, 2.0])))) == 2.0  # no values to look at in a graph
