"""Switching TensorFlow's op determinism off for a block, to see its default (fused) kernels.

``setup_notebook()`` enables op determinism so that every run of a lesson
prints the same numbers. That switch does more than fix the order of floating
point sums: with it on, ``tf.nn.softmax_cross_entropy_with_logits`` (and so
Keras' ``CategoricalCrossentropy(from_logits=True)``) is computed as
``-sum(y * log_softmax(x))``, whose gradient is right for every label row.
With it off - TensorFlow's default, and what a training script normally
runs with - the fused C++ kernel is used, whose gradient is ``softmax(x) - y``,
right only when each label row sums to 1 (checked on TensorFlow 2.21)::

    with default_tf_kernels():
        ...   # TensorFlow as it behaves outside the course

The previous setting is restored on exit, even after an exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["default_tf_kernels", "op_determinism_enabled"]


def _config():
    from losslab.environment.runtime import import_tensorflow_quietly

    import_tensorflow_quietly()
    from tensorflow.python.framework import config  # the public API can enable, not read or disable

    return config


def op_determinism_enabled() -> bool:
    """True when ``tf.config.experimental.enable_op_determinism()`` is in effect."""
    return bool(_config().is_op_determinism_enabled())


@contextmanager
def default_tf_kernels() -> Iterator[None]:
    """Run the block with op determinism off (TensorFlow's default kernels); restore it afterwards."""
    config = _config()
    was_enabled = config.is_op_determinism_enabled()
    config.disable_op_determinism()
    try:
        yield
    finally:
        if was_enabled:
            config.enable_op_determinism()
