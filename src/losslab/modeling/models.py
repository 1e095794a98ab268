"""Small Keras models for the multi-digit canvases of :mod:`losslab.data.canvases`.

Every builder returns a model whose output is **logits** (no final
activation): the loss is computed on logits (``from_logits=True``), which is
numerically stable. For predictions, wrap it with :func:`probability_model`,
which shares the very same layers and weights and adds the activation::

    logits_model = build_canvas_cnn(num_outputs=10)
    logits_model.compile("adam", keras.losses.BinaryCrossentropy(from_logits=True))
    ...
    predictor = probability_model(logits_model, "sigmoid")
    probs = predictor.predict(x, verbose=0)  # float32 (n, 10), values in [0, 1]

Shapes: inputs are float32 ``(batch, 16, 16, 1)`` canvases in [0, 1]
(``CanvasSet.x``); outputs are float32 ``(batch, num_outputs)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from losslab.environment.runtime import import_tensorflow_quietly

__all__ = ["ACTIVATIONS", "build_canvas_cnn", "build_dense_classifier", "conv_trunk", "probability_model"]

ACTIVATIONS = ("sigmoid", "softmax")
CANVAS_SHAPE = (16, 16, 1)


def _check_positive_ints(values: Sequence[int], what: str) -> tuple[int, ...]:
    values = tuple(values)
    if not all(isinstance(v, int) and v > 0 for v in values):
        raise ValueError(f"{what} must be positive integers, got {values!r}")
    return values


def conv_trunk(inputs, filters: Sequence[int], dense_units: int):
    """The canvas CNN's shared body: per ``filters`` entry a 3x3 ReLU ``Conv2D`` and 2x2 max pooling,
    then ``Flatten`` and, if ``dense_units``, a ReLU ``Dense`` layer named ``"hidden"``.

    Args:
        inputs: a Keras tensor ``(batch, height, width, channels)``.
        filters: channels of each conv block (already validated).
        dense_units: width of the hidden layer, 0 for none.

    Returns:
        The Keras tensor ``(batch, features)`` the output heads are built on.
    """
    _, keras = import_tensorflow_quietly()
    h = inputs
    for i, channels in enumerate(filters):
        h = keras.layers.Conv2D(channels, 3, padding="same", activation="relu", name=f"conv{i + 1}")(h)
        h = keras.layers.MaxPooling2D(2, name=f"pool{i + 1}")(h)
    h = keras.layers.Flatten(name="flatten")(h)
    if dense_units:
        h = keras.layers.Dense(dense_units, activation="relu", name="hidden")(h)
    return h


def build_canvas_cnn(
    num_outputs: int = 10,
    filters: Sequence[int] = (32, 64),
    dense_units: int = 64,
    input_shape: tuple[int, int, int] = CANVAS_SHAPE,
    name: str = "canvas_cnn",
):
    """A small CNN for canvases that outputs one logit per label.

    Architecture: for each entry of ``filters`` a 3x3 ``Conv2D`` (ReLU, same
    padding) followed by 2x2 max pooling; then ``Flatten``, a ``Dense``
    layer of ``dense_units`` (ReLU) and a ``Dense(num_outputs)`` layer named
    ``"logits"`` with no activation.

    Args:
        num_outputs: number of logits (10 for the digit labels).
        filters: channels of each conv block; each block halves height and width.
        dense_units: width of the hidden dense layer (0 to skip it).
        input_shape: (height, width, channels) of one input.
        name: the Keras model name.

    Returns:
        An uncompiled ``keras.Model`` mapping float32 ``(batch, *input_shape)``
        to float32 logits ``(batch, num_outputs)``. Weights depend on the
        global seed (call ``setup_notebook()`` first for repeatable runs).
    """
    _, keras = import_tensorflow_quietly()
    if not isinstance(num_outputs, int) or num_outputs < 1:
        raise ValueError(f"num_outputs must be a positive integer, got {num_outputs!r}")
    filters = _check_positive_ints(filters, "filters")
    if not isinstance(dense_units, int) or dense_units < 0:
        raise ValueError(f"dense_units must be an integer >= 0, got {dense_units!r}")
    height, width = input_shape[:2]
    if height // 2 ** len(filters) < 1 or width // 2 ** len(filters) < 1:
        raise ValueError(
            f"{len(filters)} conv blocks halve a {height}x{width} input to nothing: use fewer filters entries"
        )
    inputs = keras.Input(shape=input_shape, name="canvas")
    h = conv_trunk(inputs, filters, dense_units)
    logits = keras.layers.Dense(num_outputs, name="logits")(h)
    return keras.Model(inputs, logits, name=name)


def build_dense_classifier(
    input_dim: int,
    num_outputs: int,
    hidden_units: Sequence[int] = (64,),
    name: str = "dense_classifier",
):
    """A multilayer perceptron on flat inputs that outputs logits.

    Maps float32 ``(batch, input_dim)`` to float32 logits ``(batch, num_outputs)``;
    hidden layers use ReLU; the last layer is ``Dense(num_outputs)`` named
    ``"logits"`` with no activation. ``hidden_units=()`` gives logistic /
    softmax regression.
    """
    _, keras = import_tensorflow_quietly()
    if not isinstance(input_dim, int) or input_dim < 1:
        raise ValueError(f"input_dim must be a positive integer, got {input_dim!r}")
    if not isinstance(num_outputs, int) or num_outputs < 1:
        raise ValueError(f"num_outputs must be a positive integer, got {num_outputs!r}")
    hidden_units = tuple(hidden_units)
    if hidden_units:
        _check_positive_ints(hidden_units, "hidden_units")
    inputs = keras.Input(shape=(input_dim,), name="features")
    h = inputs
    for i, units in enumerate(hidden_units):
        h = keras.layers.Dense(units, activation="relu", name=f"hidden{i + 1}")(h)
    logits = keras.layers.Dense(num_outputs, name="logits")(h)
    return keras.Model(inputs, logits, name=name)


def probability_model(logits_model, activation: str = "sigmoid"):
    """Wrap a logits model with ``activation`` for predictions; the weights are shared.

    Args:
        logits_model: a ``keras.Model`` whose single output is logits ``(batch, K)``.
        activation: ``"sigmoid"`` (multi-label: independent probabilities) or
            ``"softmax"`` (multi-class: one distribution per row).

    Returns:
        A ``keras.Model`` with the same inputs and float32 outputs ``(batch, K)``
        in [0, 1]. Training the logits model updates this one too (same layers).
        Do not train this model with a ``from_logits=True`` loss.
    """
    _, keras = import_tensorflow_quietly()
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    if not isinstance(logits_model, keras.Model):
        raise TypeError(f"logits_model must be a keras.Model, got {type(logits_model).__name__}")
    if len(logits_model.outputs) != 1:
        raise ValueError(
            f"logits_model has {len(logits_model.outputs)} outputs; wrap a single-output logits model"
        )
    probs = keras.layers.Activation(activation, name=f"{activation}_probabilities")(logits_model.outputs[0])
    inputs = logits_model.inputs[0] if len(logits_model.inputs) == 1 else logits_model.inputs
    return keras.Model(inputs, probs, name=f"{logits_model.name}_{activation}")
