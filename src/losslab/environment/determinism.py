"""TensorFlow's op determinism, switched on for one visible block only.

The course runs with TensorFlow's default kernels, as a learner's own script
does; ``setup_notebook()`` never turns op determinism on. The switch
``tf.config.experimental.enable_op_determinism()`` does more than fix the
order of floating-point sums: with it on, TensorFlow 2.21 computes
``tf.nn.softmax_cross_entropy_with_logits`` (and so Keras'
``CategoricalCrossentropy(from_logits=True)``) as ``-sum(y * log_softmax(x))``,
whose gradient is ``sum(y) * softmax(x) - y``, right for every label row.
With it off (the default) a single combined C++ kernel computes the loss and
returns the gradient ``softmax(x) - y``, right only when each label row sums
to 1. A lesson that wants to show the difference does so inside one block::

    with op_determinism():
        ...   # TensorFlow with op determinism on

and the previous setting (normally: off) is restored on exit, even after an
exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["op_determinism", "op_determinism_enabled"]


def _config():
    from losslab.environment.runtime import import_tensorflow_quietly

    import_tensorflow_quietly()
    from tensorflow.python.framework import config  # the public API can enable, not read or disable

    return config


def op_determinism_enabled() -> bool:
    """True when ``tf.config.experimental.enable_op_determinism()`` is in effect."""
    return bool(_config().is_op_determinism_enabled())


@contextmanager
def op_determinism() -> Iterator[None]:
    """Run the block with TensorFlow's op determinism on; restore the previous setting afterwards."""
    config = _config()
    was_enabled = config.is_op_determinism_enabled()
    config.enable_op_determinism()
    try:
        yield
    finally:
        if not was_enabled:
            config.disable_op_determinism()
