"""Turning the array-likes a loss function receives into float tensors, keeping float64 as float64.

Every graded loss function of the course accepts lists, NumPy arrays and
tensors. :func:`as_float_tensor` is the one line that makes that so::

    logits = as_float_tensor(logits)                 # float32 unless already float64/float16
    y_true = as_float_tensor(y_true, like=logits)    # same dtype as the logits

:func:`matching_float_pair` does it for a (targets, outputs) pair and checks their shapes;
:func:`expect_values_between` checks values where they are known (eager code).

Keeping float64 matters: gradients are checked against finite differences in
float64, which would be drowned in float32 rounding.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TARGETS_IN_UNIT_INTERVAL", "as_float_tensor", "expect_values_between", "matching_float_pair"]

TARGETS_IN_UNIT_INTERVAL = "targets must lie in [0, 1] (0/1 labels or soft labels)"


def as_float_tensor(value: Any, like: Any = None):
    """``value`` as a floating-point ``tf.Tensor`` (a ``tf.Variable`` is read, not copied).

    Args:
        value: a number, nested list, NumPy array, tensor or variable.
        like: optional tensor; the result is cast to its dtype (e.g. labels to the logits' dtype).

    Returns:
        Integer and boolean input becomes float32; float input keeps its dtype
        unless ``like`` is given.

    Raises:
        TypeError: for input that is not numeric (strings, None, ragged lists).
    """
    from losslab.environment.runtime import import_tensorflow_quietly

    tf = import_tensorflow_quietly()[0]
    if value is None:
        raise TypeError("as_float_tensor got None: pass numbers (a list, a NumPy array or a tensor)")
    try:
        tensor = tf.convert_to_tensor(value)
    except (ValueError, TypeError) as exc:
        raise TypeError(
            f"cannot turn a {type(value).__name__} into a tensor of numbers ({exc}); "
            "pass a rectangular list, a NumPy array or a tensor"
        ) from exc
    if tensor.dtype == tf.string:
        raise TypeError("as_float_tensor got strings: pass numbers")
    if like is not None:
        return tf.cast(tensor, tf.convert_to_tensor(like).dtype)
    if not tensor.dtype.is_floating:
        tensor = tf.cast(tensor, tf.float32)
    return tensor


def _tf():
    """TensorFlow, imported quietly the first time only: these helpers also run inside traced
    graphs (``model.fit``), where the quiet import's warm-up op could not be evaluated."""
    import sys

    if "tensorflow" not in sys.modules:
        from losslab.environment.runtime import import_tensorflow_quietly

        import_tensorflow_quietly()
    import tensorflow as tf

    return tf


def matching_float_pair(targets: Any, outputs: Any, what: str = "logits"):
    """``(targets, outputs)`` as float tensors of the outputs' dtype, their shapes checked to match.

    ``outputs`` (logits, scores, predictions) keep float64/float32, other dtypes become float32;
    targets are cast to the outputs' dtype. Shapes known only at run time (a traced graph) are
    not compared.

    Raises:
        ValueError: both shapes are known and differ.
    """
    tf = _tf()
    outputs = tf.convert_to_tensor(outputs)
    if not outputs.dtype.is_floating:
        outputs = tf.cast(outputs, tf.float32)
    targets = tf.cast(tf.convert_to_tensor(targets), outputs.dtype)
    if (
        targets.shape.is_fully_defined()
        and outputs.shape.is_fully_defined()
        and targets.shape != outputs.shape
    ):
        raise ValueError(
            f"targets have shape {tuple(targets.shape)} but {what} have shape {tuple(outputs.shape)}: "
            "they must match (one target per output; reshape (B,) targets to (B, 1) or vice versa)"
        )
    return targets, outputs


def expect_values_between(tensor: Any, low: float, high: float, what: str) -> None:
    """ValueError saying ``what`` when ``tensor`` has values outside ``[low, high]``.

    Checked in eager code only: inside a traced graph (``model.fit``, ``tf.function``) the
    values are not known yet, and a loss must not stop training to look at them.
    """
    import numpy as np

    if not _tf().executing_eagerly() or not hasattr(tensor, "numpy"):
        return
    values = tensor.numpy()
    if values.size and (np.nanmin(values) < low or np.nanmax(values) > high):
        raise ValueError(f"{what}; got values from {np.nanmin(values)} to {np.nanmax(values)}")
