"""The stuck-outputs question, rebuilt small: 64 x 64 colour images -> 4096 mostly-zero 0/1 mask labels.

A learner on Stack Exchange trained conv -> max-pool -> conv -> conv -> a dense
layer of 4096 sigmoid units on 64 x 64 x 3 images, with one 0/1 label per pixel,
and found "nearly all outputs between 0.2 and 0.4, none above 0.5". This module
builds a task with the same shapes that is small enough to train in seconds:

* each image is grey noise with one or two coloured discs; discs sit near the
  centre more often than near the edges;
* the target is the disc mask, flattened to 4096 labels, so about 7 % of labels
  are 1 on average (mostly zeros), and the base rate of a pixel runs from about 0 at
  the border to about 0.35 in the centre.

Models: :func:`build_asker_model` is the asker's architecture (``final_activation``
``"sigmoid"`` reproduces its output layer), :func:`build_mask_fcn` a fully
convolutional model that keeps "where" (one logit per pixel).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from losslab.environment.runtime import import_tensorflow_quietly

__all__ = ["MASK_SIZE", "MaskTask", "build_mask_fcn", "build_asker_model", "load_mask_task", "make_masks"]

MASK_SIZE = 64


@dataclass(frozen=True)
class MaskTask:
    """Images and their flattened masks.

    Attributes:
        x: float32 ``(n, 64, 64, 3)`` images in [0, 1].
        y: float32 ``(n, 4096)`` 0/1 labels, pixel (r, c) at index ``r * 64 + c``.
    """

    x: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.x)

    @property
    def masks(self) -> np.ndarray:
        """The labels as images: float32 ``(n, 64, 64)``."""
        return self.y.reshape(-1, MASK_SIZE, MASK_SIZE)


def make_masks(n: int, rng: np.random.Generator, size: int = MASK_SIZE, max_discs: int = 2) -> MaskTask:
    """``n`` images with 1..``max_discs`` coloured discs each, and the disc masks as labels."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if size < 8:
        raise ValueError(f"size must be at least 8 pixels, got {size}")
    if max_discs < 1:
        raise ValueError(f"max_discs must be >= 1, got {max_discs}")
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float32)
    x = rng.uniform(0.0, 0.5, size=(n, size, size, 3)).astype(np.float32)
    mask = np.zeros((n, size, size), dtype=bool)
    for i in range(n):
        for _ in range(rng.integers(1, max_discs + 1)):
            centre = np.clip(rng.normal(size / 2, size / 6, size=2), 0, size - 1)
            radius = rng.uniform(size / 14, size / 7)
            disc = (rows - centre[0]) ** 2 + (cols - centre[1]) ** 2 <= radius**2
            colour = rng.uniform(0.6, 1.0, size=3).astype(np.float32)
            x[i][disc] = colour
            mask[i] |= disc
    return MaskTask(x=x, y=mask.reshape(n, size * size).astype(np.float32))


def load_mask_task(n_train: int = 512, n_test: int = 128, seed: int = 0) -> tuple[MaskTask, MaskTask]:
    """Train and test sets of the mask task, deterministic for a given ``seed`` (about 0.1 s)."""
    rng = np.random.default_rng(seed)
    return make_masks(n_train, rng), make_masks(n_test, rng)


def build_asker_model(
    final_activation: str | None = None, size: int = MASK_SIZE, seed: int = 0, name: str = "asker_model"
):
    """The asker's architecture: conv -> max-pool -> conv -> conv -> dense of ``size**2`` units.

    Input float32 ``(batch, size, size, 3)``; output float32 ``(batch, size**2)``: logits
    when ``final_activation`` is None, probabilities with ``"sigmoid"`` (the asker's choice).
    The initial weights depend only on ``seed``.
    """
    _, keras = import_tensorflow_quietly()
    if final_activation not in (None, "sigmoid"):
        raise ValueError(f"final_activation must be None or 'sigmoid', got {final_activation!r}")
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((size, size, 3), name="image")
    h = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu", name="conv1")(inputs)
    h = keras.layers.MaxPooling2D(2, name="pool")(h)
    h = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv2")(h)
    h = keras.layers.Conv2D(2, 3, padding="same", activation="relu", name="conv3")(h)
    h = keras.layers.Flatten(name="flatten")(h)
    out = keras.layers.Dense(size * size, activation=final_activation, name="logits")(h)
    return keras.Model(inputs, out, name=name)


def build_mask_fcn(size: int = MASK_SIZE, width: int = 8, seed: int = 0, name: str = "mask_fcn"):
    """A fully convolutional model: one logit per pixel, flattened to ``size**2``.

    Input float32 ``(batch, size, size, 3)``; output float32 logits ``(batch, size**2)``.
    Each logit sees a 5 x 5 neighbourhood of its own pixel, so "where" is never thrown away.
    The initial weights depend only on ``seed``.
    """
    _, keras = import_tensorflow_quietly()
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((size, size, 3), name="image")
    h = keras.layers.Conv2D(width, 3, padding="same", activation="relu", name="conv1")(inputs)
    h = keras.layers.Conv2D(width, 3, padding="same", activation="relu", name="conv2")(h)
    h = keras.layers.Conv2D(1, 1, name="pixel_logits")(h)
    out = keras.layers.Reshape((size * size,), name="logits")(h)
    return keras.Model(inputs, out, name=name)
