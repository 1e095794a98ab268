"""Turning the array-likes a loss function receives into float tensors, keeping float64 as float64.

Every graded loss function of the course accepts lists, NumPy arrays and
tensors. :func:`as_float_tensor` is the one line that makes that so::

    logits = as_float_tensor(logits)                 # float32 unless already float64/float16
    y_true = as_float_tensor(y_true, like=logits)    # same dtype as the logits

Keeping float64 matters: gradients are checked against finite differences in
float64, which would be drowned in float32 rounding.
"""

from __future__ import annotations

from typing import Any

__all__ = ["as_float_tensor"]


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
