"""Helpers for loss check suites: known mistakes are named, NaN is reported, gradients compared."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from losslab.exercises.checks import Mistake
from losslab.exercises.loss_checks import (
    call_loss,
    expect_dtype,
    expect_finite,
    expect_gradient,
    expect_loss,
    sample_problem,
)


def test_sample_problem_rows_have_a_positive():
    y, x = sample_problem((6, 3), seed=1)
    assert (y.sum(1) >= 1).all() and x.dtype == np.float32


def test_call_loss_refuses_numpy_results():
    with pytest.raises(Mistake, match="tf.Tensor"):
        call_loss(lambda a: np.asarray(a), [1.0], what="f")
    assert call_loss(lambda a: tf.constant(a), [1.0], what="f").tolist() == [1.0]


def test_expect_loss_names_known_mistake_and_reduction():
    want = np.array([1.0, 2.0])
    expect_loss(np.array([1.0, 2.0]), want, "loss")
    with pytest.raises(Mistake, match="swapped"):
        expect_loss(np.array([2.0, 1.0]), want, "loss", [(np.array([2.0, 1.0]), "swapped")])
    with pytest.raises(Mistake, match="reduced"):
        expect_loss(np.array(1.5), want, "loss")
    with pytest.raises(Mistake, match="off"):
        expect_loss(np.array([1.0, 3.0]), want, "loss")


def test_expect_finite_and_gradient():
    with pytest.raises(Mistake, match="use softplus"):
        expect_finite(np.array([1.0, np.inf]), "loss", "use softplus")
    expect_gradient(lambda z: z**2, np.array([1.0, -2.0]), "square")
    with pytest.raises(Mistake, match="finite differences"):
        expect_gradient(lambda z: tf.stop_gradient(z) * z, np.array([1.0, 2.0]), "half gradient")


def test_expect_dtype_names_the_cast():
    expect_dtype(np.zeros(2, np.float64), np.float64, "loss")
    with pytest.raises(Mistake, match="keep the logits' dtype"):
        expect_dtype(np.zeros(2, np.float32), np.float64, "loss")
