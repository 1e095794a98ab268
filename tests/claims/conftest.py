"""Fixtures for the claims tests (``tf`` comes from tests/conftest.py): Keras, default kernels."""

import pytest


@pytest.fixture(scope="session")
def keras(tf):
    import keras

    return keras


@pytest.fixture
def default_kernels(tf):
    """Make sure op determinism is off (TensorFlow's default) for this test; restore afterwards.

    Another test in the same process may have switched it on; the public API cannot switch it off,
    so this uses TensorFlow's own (private) config module.
    """
    from tensorflow.python.framework import config

    was = config.is_op_determinism_enabled()
    config.disable_op_determinism()
    yield
    if was:
        config.enable_op_determinism()
