"""What every diagnostic returns (:class:`Verdict`), and the input checks they share.

All inputs are NumPy-convertible: ``x`` a batch of model inputs, ``y`` 0/1
targets ``(n, K)`` (multi-hot or one-hot) float32, model outputs ``(n, K)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from losslab.environment.runtime import import_tensorflow_quietly

__all__ = ["LN2", "Verdict"]

LN2 = math.log(2.0)
DOUBLE_SIGMOID_RANGE = (0.5, 1 / (1 + math.exp(-1.0)))  # sigmoid of a probability: [0.5, 0.731]


@dataclass(frozen=True)
class Verdict:
    """The outcome of one diagnostic.

    Attributes:
        name: what was checked ("initial loss").
        ok: True when nothing suspicious was found.
        message: one or two sentences: what was measured and what it means.
        details: the measured numbers (floats, strings), for plots and tests.
    """

    name: str
    ok: bool
    message: str
    details: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{'✔' if self.ok else '✘'} {self.name}: {self.message}"

    def _repr_pretty_(self, printer, cycle):  # IPython shows the readable line
        printer.text(str(self))


def _array(value, what: str) -> np.ndarray:
    arr = np.asarray(value.numpy() if hasattr(value, "numpy") else value, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{what} must be 2-D (examples, labels), got shape {arr.shape}")
    return arr


def _targets(y) -> np.ndarray:
    y = _array(y, "y")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("y must hold 0/1 labels (multi-hot or one-hot); got other values")
    return y


def _scalar_loss(loss: Callable, y, outputs) -> float:
    tf, _ = import_tensorflow_quietly()
    value = loss(tf.constant(y, tf.float32), tf.constant(outputs, tf.float32))
    return float(tf.reduce_mean(tf.cast(value, tf.float64)))


def _predict(model, x) -> np.ndarray:
    out = model(np.asarray(x, dtype=np.float32), training=False)
    return _array(out, "the model's output")


def _fmt(v: float) -> str:
    return f"{v:.4g}"
