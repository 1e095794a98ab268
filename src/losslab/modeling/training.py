"""Training with a compact, repeatable per-epoch table instead of Keras' progress bars.

Keras' ``verbose=1`` output holds timings and carriage returns, so it changes
from run to run and buries the numbers. :func:`fit` trains silently
(``verbose=0``) and prints one row per epoch as soon as the epoch ends, so
the learner watches progress live and the notebook keeps a stable table::

    model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))
    run = fit(model, splits.train.x, splits.train.y_multi_hot, epochs=8,
              validation_data=(splits.val.x, splits.val.y_multi_hot))

    epoch      loss  val_loss
        1    0.3121    0.2104
        ...

Numbers are printed with 4 significant digits; after ``setup_notebook()``
(seeds, fixed thread pools) the table repeats exactly on the same machine.
:class:`EpochTable` is the callback behind it, usable with ``model.fit``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from losslab.environment.runtime import import_tensorflow_quietly

__all__ = ["EpochTable", "TrainingRun", "fit", "format_number"]


def format_number(value: float, digits: int = 4) -> str:
    """``value`` with ``digits`` significant digits (``nan``/``inf`` spelled out)."""
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.{digits}g}"


def _callback_base():
    _, keras = import_tensorflow_quietly()
    return keras.callbacks.Callback


class EpochTable(_callback_base()):
    """Keras callback: print a header, then one row per epoch (every ``every`` epochs and the last).

    Args:
        columns: log keys to show, in order (default: every key Keras reports,
            training metrics first, then ``val_*``).
        digits: significant digits of each number.
        every: print every n-th epoch (the last epoch is always printed).
        width: column width in characters.

    After training, ``rows`` holds ``(epoch, {key: value})`` for every epoch and
    ``seconds`` the wall time of training (not printed: timings vary).
    """

    def __init__(self, columns=None, digits: int = 4, every: int = 1, width: int = 10):
        super().__init__()
        if every < 1:
            raise ValueError(f"every must be >= 1, got {every}")
        self.columns = list(columns) if columns is not None else None
        self.digits = digits
        self.every = every
        self.width = width
        self.rows: list[tuple[int, dict[str, float]]] = []
        self.seconds = 0.0
        self._start = 0.0
        self._header_done = False

    def on_train_begin(self, logs=None):
        self.rows = []
        self._header_done = False
        self._start = time.perf_counter()

    def _keys(self, logs: dict) -> list[str]:
        if self.columns is not None:
            return self.columns
        train = [k for k in logs if not k.startswith("val_")]
        val = [k for k in logs if k.startswith("val_")]
        return train + val

    def on_epoch_end(self, epoch, logs=None):
        logs = {k: float(np.asarray(v)) for k, v in (logs or {}).items() if np.ndim(v) == 0}
        self.rows.append((epoch + 1, logs))
        epochs = self.params.get("epochs", epoch + 1) if self.params else epoch + 1
        if (epoch + 1) % self.every and epoch + 1 != epochs:
            return
        keys = self._keys(logs)
        if not self._header_done:
            self.columns = keys
            print("epoch" + "".join(f"{k:>{max(self.width, len(k) + 2)}}" for k in keys), flush=True)
            self._header_done = True
        cells = "".join(
            f"{format_number(logs[k], self.digits) if k in logs else '-':>{max(self.width, len(k) + 2)}}"
            for k in keys
        )
        print(f"{epoch + 1:>5}" + cells, flush=True)

    def on_train_end(self, logs=None):
        self.seconds = time.perf_counter() - self._start


@dataclass
class TrainingRun:
    """What :func:`fit` returns.

    Attributes:
        history: ``{key: [value per epoch]}`` as floats (Keras' ``History.history``).
        seconds: wall time of training (for your own measurements; do not print it in a notebook).
        model: the trained model.
    """

    history: dict[str, list[float]]
    seconds: float
    model: object = field(repr=False)

    def final(self, key: str) -> float:
        """The value of ``key`` (e.g. ``"val_loss"``) after the last epoch."""
        if key not in self.history:
            raise KeyError(f"no {key!r} in the history; available: {sorted(self.history)}")
        return self.history[key][-1]


def fit(
    model,
    x,
    y,
    *,
    epochs: int,
    batch_size: int = 64,
    validation_data=None,
    shuffle: bool = True,
    columns=None,
    every: int = 1,
    digits: int = 4,
    quiet: bool = False,
    callbacks=(),
    class_weight=None,
    sample_weight=None,
) -> TrainingRun:
    """Train a compiled Keras model, printing a compact per-epoch table.

    Args:
        model: a compiled ``keras.Model``.
        x, y: training inputs and targets (NumPy arrays; e.g. ``(n, 16, 16, 1)`` float32
            canvases and ``(n, 10)`` float32 multi-hot targets).
        epochs: number of passes over the data.
        batch_size: examples per gradient step.
        validation_data: optional ``(x_val, y_val)``; adds ``val_*`` columns.
        shuffle: shuffle the training data each epoch (repeatable after ``setup_notebook()``).
        columns: the log keys to print (default: all).
        every: print every n-th epoch (and the last).
        digits: significant digits in the table.
        quiet: print nothing (the history is still returned).
        callbacks: extra Keras callbacks.
        class_weight, sample_weight: passed to ``model.fit`` unchanged (beware: with multi-hot
            targets Keras turns ``class_weight`` into one weight per row, from the row's argmax).

    Returns:
        A :class:`TrainingRun` with the per-epoch history and the wall time.
    """
    _, keras = import_tensorflow_quietly()
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    if getattr(model, "optimizer", None) is None or not getattr(model, "compiled", True):
        raise ValueError("the model is not compiled: call model.compile(optimizer=..., loss=...) first")
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} examples but y has {len(y)}: they must match")
    table = EpochTable(columns=columns, digits=digits, every=every)
    cbs = list(callbacks) if quiet else [table, *callbacks]
    start = time.perf_counter()
    history = model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation_data,
        shuffle=shuffle,
        verbose=0,
        callbacks=cbs,
        class_weight=class_weight,
        sample_weight=sample_weight,
    )
    seconds = time.perf_counter() - start
    hist = {k: [float(v) for v in values] for k, values in history.history.items()}
    return TrainingRun(history=hist, seconds=seconds, model=model)
