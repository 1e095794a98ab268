"""tensor_checks: the one family of check helpers raises Mistakes that say what is wrong."""

import numpy as np
import pytest

from losslab.exercises.checks import Mistake
from losslab.exercises.tensor_checks import (
    call,
    call_loss,
    charged_elsewhere,
    expect_dtype,
    expect_finite,
    expect_gradient,
    expect_reference,
    expect_tensor,
    is_close,
    matches_known,
    relative_error,
    sample_problem,
    tape_gradient_of,
)


def test_call_passes_results_and_not_implemented():
    assert call(lambda a, b=0: a + b, 1, b=2, what="f") == 3

    def stub():
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        call(stub, what="stub")
    with pytest.raises(Mistake, match=r"f\(\[\]\) raised ZeroDivisionError"):
        call(lambda: 1 / 0, what="f([])")


def test_expect_tensor(tf):
    t = tf.constant([1.0])
    assert expect_tensor(t, "f") is t
    with pytest.raises(Mistake, match="forget `return`"):
        expect_tensor(None, "f")
    with pytest.raises(Mistake, match="ndarray, not a tf.Tensor"):
        expect_tensor(np.zeros(2), "f")


def test_expect_dtype(tf):
    expect_dtype(tf.zeros(2, tf.float64), np.float64, "f")
    with pytest.raises(Mistake, match="float32, expected float64"):
        expect_dtype(tf.zeros(2), np.float64, "f")


def test_expect_finite_names_the_cause():
    np.testing.assert_array_equal(expect_finite([1.0, 2.0], "loss", "why"), [1.0, 2.0])
    with pytest.raises(Mistake, match=r"loss is inf at index \(1,\): log of 0"):
        expect_finite([0.0, np.inf], "loss", "log of 0")


def test_relative_error_and_is_close():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0 + 1e-6], [1.0]) == pytest.approx(1e-6)
    assert relative_error([1e-9], [0.0]) == pytest.approx(1e-9 / 0.1)  # tiny values: absolute scale
    assert is_close([1.0], [1.0 + 5e-7])
    assert not is_close([1.0], [1.0 + 5e-6])
    assert not is_close([1.0, 2.0], [1.0])
    assert not is_close([np.nan], [np.nan])


def test_expect_reference_messages():
    expect_reference([1.0, 2.0], [1.0, 2.0], "f")
    with pytest.raises(Mistake, match=r"shape \(2,\), expected \(3,\)"):
        expect_reference([1.0, 2.0], [1.0, 2.0, 3.0], "f")
    with pytest.raises(Mistake, match=r"at index \(1,\): got 3, expected 2"):
        expect_reference([1.0, 3.0], [1.0, 2.0], "f")
    with pytest.raises(Mistake, match="NaN at index"):
        expect_reference([np.nan], [2.0], "f")
    with pytest.raises(Mistake, match="reduced"):
        expect_reference(np.array(1.5), [1.0, 2.0], "loss")


def test_known_mistakes_are_named_once():
    want = np.array([1.0, 2.0])
    swapped = (np.array([2.0, 1.0]), "swapped")
    with pytest.raises(Mistake, match="loss is off: swapped"):
        expect_reference([2.0, 1.0], want, "loss", [swapped])
    expect_reference([2.0, 1.0], want, "loss", charged_elsewhere([swapped]))  # charged by another check
    with pytest.raises(Mistake, match="differs from the reference"):
        expect_reference([1.0, 3.0], want, "loss", charged_elsewhere([swapped]))
    assert matches_known([np.inf, 1.0], [(np.array([np.inf, 1.0]), "inf", False)])[1] == "inf"
    assert matches_known([2.0, 2.0], [swapped]) is None


def test_call_loss_and_sample_problem(tf):
    with pytest.raises(Mistake, match="tf.Tensor"):
        call_loss(lambda a: np.asarray(a), [1.0], what="f")
    assert call_loss(lambda a: tf.constant(a), [1.0], what="f").tolist() == [1.0]
    y, x = sample_problem((6, 3), seed=1)
    assert (y.sum(1) >= 1).all() and x.dtype == np.float32


def test_errors_are_explained_in_the_learners_terms(tf):
    with pytest.raises(Mistake, match="shapes do not fit.*keepdims") as info:
        call(lambda a, b: tf.constant(a) + tf.constant(b), [1.0, 2.0], [1.0, 2.0, 3.0], what="f")
    assert "{{" not in str(info.value)
    with pytest.raises(Mistake, match="mixes dtypes.*tf.cast"):
        call(lambda: tf.constant([1.0], tf.float64) * tf.constant([1.0]), what="f")


def test_tape_gradient_of(tf):
    np.testing.assert_allclose(tape_gradient_of(lambda z: z * z, np.array([1.0, 3.0]), "sq"), [2.0, 6.0])
    with pytest.raises(Mistake, match="no gradient"):
        tape_gradient_of(lambda z: tf.constant(np.asarray(z) * 2), np.array([1.0]), "np")


def test_expect_gradient(tf):
    assert expect_gradient(lambda z: tf.sin(z), [0.3, 1.0], "sin") < 1e-6

    @tf.custom_gradient
    def wrong(z):
        return z * z, lambda up: up * z

    with pytest.raises(Mistake, match="does not match finite differences.*try this"):
        expect_gradient(wrong, [1.0, 2.0], "wrong", "try this")
    with pytest.raises(Mistake, match="nan"):
        expect_gradient(lambda z: 1.0 / (1.0 + tf.exp(-z)), [-1e4], "naive sigmoid")
    with pytest.raises(Mistake, match="gradient of np"):
        expect_gradient(lambda z: tf.constant(np.asarray(z)), [1.0], "np")


def test_expect_gradient_runs_in_the_dtype_returned(tf):
    def in_float32(z):
        return tf.math.log1p(tf.exp(tf.cast(z, tf.float32))) * 3.0

    expect_gradient(in_float32, [[-3.0, 0.5, 2.0, 7.0]], "float32 softplus")  # float32 rounding is no mistake

    @tf.custom_gradient
    def wrong32(z):
        z = tf.cast(z, tf.float32)
        return z * z, lambda up: up * z

    with pytest.raises(Mistake, match="checked in float32"):
        expect_gradient(lambda z: wrong32(z), [1.0, 2.0], "wrong")


def test_expect_gradient_of_a_function_that_mixes_float32_inside(tf):
    def half_cast(z):  # float64 labels times a float32 building block: fails on float64 input only
        y = tf.cast([[1.0, 0.0, 2.0]], z.dtype)
        return y * tf.cast(z, tf.float32)

    expect_gradient(
        half_cast, [[0.5, -1.0, 2.0]], "half_cast"
    )  # checked in float32: its dtype is charged once
