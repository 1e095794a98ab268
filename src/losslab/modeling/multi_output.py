"""Multi-output multi-class models for the canvases: one softmax head per quadrant (lesson 08).

Each canvas quadrant holds one of 11 classes (digit 0-9, or :data:`losslab.data.canvases.EMPTY` = 10).
Three ways to model that, all on the same small CNN trunk:

* :func:`build_quadrant_model` - a Keras multi-output model, four named heads of 11 logits,
  trained with one sparse categorical cross-entropy per head;
* a flat model with 44 sigmoid outputs (the four one-hot rows concatenated, trained with BCE):
  targets from :func:`flatten_quadrant_targets`, decoded by :func:`quadrant_predictions`;
* the multi-hot model of lesson 04 (10 sigmoids), which cannot say *where* a digit is.

Shapes: canvases float32 ``(n, 16, 16, 1)``; ``y_quadrants`` int64 ``(n, 4)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from losslab.data.canvases import EMPTY, NUM_DIGITS
from losslab.environment.runtime import import_tensorflow_quietly
from losslab.modeling.models import conv_trunk

__all__ = [
    "NUM_QUADRANT_CLASSES",
    "QUADRANT_NAMES",
    "build_quadrant_model",
    "flatten_quadrant_targets",
    "invalid_quadrant_fraction",
    "quadrant_predictions",
    "quadrant_targets",
    "quadrants_to_digit_sets",
]

QUADRANT_NAMES = ("top_left", "top_right", "bottom_left", "bottom_right")
NUM_QUADRANT_CLASSES = NUM_DIGITS + 1  # ten digits and "empty"


def _check_quadrants(y_quadrants) -> np.ndarray:
    y = np.asarray(y_quadrants)
    if y.ndim != 2 or y.shape[1] != len(QUADRANT_NAMES):
        raise ValueError(f"y_quadrants must have shape (n, 4), got {y.shape}")
    if y.size and (not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() > EMPTY):
        raise ValueError(f"y_quadrants must hold integers 0..{EMPTY} ({EMPTY} = empty)")
    return y.astype(np.int64)


def build_quadrant_model(
    filters: Sequence[int] = (16, 32), dense_units: int = 64, seed: int = 0, name: str = "quadrant_heads"
):
    """A shared CNN trunk with four softmax heads, one per quadrant, each outputting 11 logits.

    The outputs are named :data:`QUADRANT_NAMES`, so losses and metrics can be given as dicts
    keyed by those names. Returns an uncompiled ``keras.Model``: ``(batch, 16, 16, 1)`` ->
    four float32 ``(batch, 11)`` logit tensors. The trunk matches
    :func:`losslab.modeling.models.build_canvas_cnn`; the seed fixes the initial weights.
    """
    _, keras = import_tensorflow_quietly()
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(16, 16, 1), name="canvas")
    h = conv_trunk(inputs, filters, dense_units)
    outputs = {q: keras.layers.Dense(NUM_QUADRANT_CLASSES, name=q)(h) for q in QUADRANT_NAMES}
    return keras.Model(inputs, outputs, name=name)


def quadrant_targets(y_quadrants) -> dict[str, np.ndarray]:
    """Split ``(n, 4)`` quadrant labels into ``{head name: (n,) int64}`` for a multi-output ``fit``."""
    y = _check_quadrants(y_quadrants)
    return {q: y[:, i] for i, q in enumerate(QUADRANT_NAMES)}


def flatten_quadrant_targets(y_quadrants) -> np.ndarray:
    """The four one-hot rows of 11 classes, concatenated: float32 ``(n, 44)`` for a 44-sigmoid BCE model."""
    y = _check_quadrants(y_quadrants)
    return np.eye(NUM_QUADRANT_CLASSES, dtype=np.float32)[y].reshape(len(y), -1)


def _stack_heads(outputs) -> np.ndarray:
    """Model outputs (dict or list of four (n, 11), or flat (n, 44)) -> float64 (n, 4, 11)."""
    if isinstance(outputs, Mapping):
        outputs = [outputs[q] for q in QUADRANT_NAMES]
    if isinstance(outputs, list | tuple):
        return np.stack([np.asarray(o, dtype=np.float64) for o in outputs], axis=1)
    flat = np.asarray(outputs, dtype=np.float64)
    if flat.ndim != 2 or flat.shape[1] != len(QUADRANT_NAMES) * NUM_QUADRANT_CLASSES:
        raise ValueError(f"flat outputs must be (n, 44), got {flat.shape}")
    return flat.reshape(len(flat), len(QUADRANT_NAMES), NUM_QUADRANT_CLASSES)


def quadrant_predictions(outputs) -> np.ndarray:
    """Predicted class per quadrant, int64 ``(n, 4)``: the argmax of each head (or of each group of 11)."""
    return _stack_heads(outputs).argmax(axis=-1).astype(np.int64)


def invalid_quadrant_fraction(flat_logits, threshold: float = 0.0) -> float:
    """For a 44-output sigmoid model: the fraction of quadrants with not exactly one output above ``threshold``.

    A softmax head always picks exactly one class; independent sigmoids may pick none or several.
    """
    on = _stack_heads(flat_logits) > threshold
    return float(np.mean(on.sum(axis=-1) != 1))


def quadrants_to_digit_sets(y_quadrants) -> np.ndarray:
    """Per-quadrant classes -> the multi-hot digit set of each canvas, float32 ``(n, 10)`` (empty ignored)."""
    y = _check_quadrants(y_quadrants)
    multi_hot = np.zeros((len(y), NUM_DIGITS), dtype=np.float32)
    rows, quads = np.nonzero(y != EMPTY)
    multi_hot[rows, y[rows, quads]] = 1.0
    return multi_hot
