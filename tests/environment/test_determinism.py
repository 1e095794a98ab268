"""op_determinism: TensorFlow's op determinism on inside the block only, restored afterwards."""

import numpy as np
import pytest

from losslab.environment.determinism import op_determinism, op_determinism_enabled


@pytest.fixture(autouse=True)
def _restore_switch(tf):
    from tensorflow.python.framework import config

    before = config.is_op_determinism_enabled()
    yield
    (config.enable_op_determinism if before else config.disable_op_determinism)()


def _builtin_ce_gradient(tf):
    x = tf.Variable([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    y = tf.constant([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=x))
    return tape.gradient(loss, x).numpy(), tf.nn.softmax(x).numpy(), y.numpy()


def test_setup_leaves_tensorflows_default_kernels(tf):
    from losslab.environment import setup_notebook

    setup_notebook()
    assert not op_determinism_enabled()
    grad, p, y = _builtin_ce_gradient(tf)
    np.testing.assert_allclose(grad, p - y, atol=1e-6)  # default kernel: softmax - y


def test_the_block_switches_the_softmax_ce_gradient(tf):
    assert not op_determinism_enabled()
    with op_determinism():
        assert op_determinism_enabled()
        grad, p, y = _builtin_ce_gradient(tf)
        np.testing.assert_allclose(grad, y.sum(-1, keepdims=True) * p - y, atol=1e-6)  # the true gradient
    assert not op_determinism_enabled()
    grad, p, y = _builtin_ce_gradient(tf)
    np.testing.assert_allclose(grad, p - y, atol=1e-6)
    assert not np.allclose(grad, y.sum(-1, keepdims=True) * p - y, atol=1e-3)


def test_state_restored_after_an_exception(tf):
    with pytest.raises(RuntimeError), op_determinism():
        raise RuntimeError("boom")
    assert not op_determinism_enabled()


def test_an_enclosing_setting_is_kept(tf):
    tf.config.experimental.enable_op_determinism()
    with op_determinism():
        assert op_determinism_enabled()
    assert op_determinism_enabled()
