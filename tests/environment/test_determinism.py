"""default_tf_kernels: op determinism off inside the block, restored afterwards."""

import numpy as np
import pytest

from losslab.environment.determinism import default_tf_kernels, op_determinism_enabled


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


def test_the_switch_changes_tensorflows_softmax_ce_gradient(tf):
    tf.config.experimental.enable_op_determinism()
    assert op_determinism_enabled()
    grad, p, y = _builtin_ce_gradient(tf)
    true = y.sum(-1, keepdims=True) * p - y
    np.testing.assert_allclose(grad, true, atol=1e-6)  # composite op: right gradient
    with default_tf_kernels():
        assert not op_determinism_enabled()
        grad, p, y = _builtin_ce_gradient(tf)
        np.testing.assert_allclose(grad, p - y, atol=1e-6)  # fused kernel: softmax - y
        assert not np.allclose(grad, true, atol=1e-3)
    assert op_determinism_enabled()


def test_state_restored_after_an_exception(tf):
    tf.config.experimental.enable_op_determinism()
    with pytest.raises(RuntimeError), default_tf_kernels():
        raise RuntimeError("boom")
    assert op_determinism_enabled()
