"""Broken losses from real bug reports, kept as specimens for lesson 05 and its exercise.

Every function here is *deliberately wrong* (except :func:`asker_loss` and
:func:`mean_bce`, the correct references); its docstring says what breaks.
Lesson 05 shows their source with :func:`show_code`, runs them, and diagnoses
them with :mod:`losslab.debugging.diagnostics`. All take ``y`` 0/1 float targets
``(batch, K)`` and model outputs ``(batch, K)`` (logits unless the name says
probabilities) and return one loss per example ``(batch,)``.
"""

from __future__ import annotations

import inspect

from losslab.environment.runtime import import_tensorflow_quietly

__all__ = [
    "bce_missing_minus",
    "broken_mask_loss",
    "build_broken_digit_model",
    "canvas_mlp",
    "cce_on_sigmoid_outputs",
    "mean_bce",
    "naive_bce",
    "rounded_logits_bce",
    "asker_loss",
    "show_code",
    "summed_bce",
    "train_broken_digit_classifier",
]

tf, _ = import_tensorflow_quietly()


def show_code(fn) -> None:
    """Print the source of ``fn`` (so a lesson shows exactly the code it runs)."""
    print(inspect.getsource(fn).rstrip())


def canvas_mlp(final_activation: str | None = None, num_outputs: int = 10, seed: int = 1):
    """The model of the lesson's short cases: 256 canvas pixels -> Dense(64, relu) -> Dense(num_outputs).

    Same initial weights for a given ``seed``. Input float32 ``(batch, 256)`` (flattened
    canvases); output float32 ``(batch, num_outputs)``: logits, or ``final_activation``
    (``"sigmoid"``/``"softmax"``) applied to them, to build the broken models of the cases.
    """
    from losslab.modeling.models import build_dense_classifier

    _, keras = import_tensorflow_quietly()
    keras.utils.set_random_seed(seed)
    model = build_dense_classifier(256, num_outputs, hidden_units=(64,), name="canvas_mlp")
    if final_activation is None:
        return model
    outputs = keras.layers.Activation(final_activation, name=final_activation)(model.output)
    return keras.Model(model.input, outputs, name=f"canvas_mlp_{final_activation}")


def asker_loss(y, logits):
    """The asker's loss: TensorFlow's sigmoid cross-entropy on logits, averaged over the labels."""
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits), axis=-1)


def mean_bce(y, logits):
    """Correct reference: the same as :func:`asker_loss` (and Keras ``BinaryCrossentropy(from_logits=True)``)."""
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits), axis=-1)


def summed_bce(y, logits):
    """BUG: sums over the K labels instead of averaging: the loss and every gradient are K times larger."""
    return tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits), axis=-1)


def rounded_logits_bce(y, logits):
    """BUG (the Cross Validated question): rounds the logits first; tf.round has no gradient, so nothing learns."""
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=tf.round(logits)), axis=-1)


def bce_missing_minus(y, logits):
    """BUG (the formula as printed in the Cross Validated thread): y*log(p) + (1-y)*log(1-p) without the minus sign; the optimiser maximises the error."""
    p = tf.sigmoid(logits)
    return tf.reduce_mean(y * tf.math.log(p) + (1 - y) * tf.math.log(1 - p), axis=-1)


def naive_bce(y, logits):
    """BUG: log(sigmoid(x)) written out; in float32 sigmoid(x) rounds to exactly 0 or 1 for |x| > ~17, log gives -inf."""
    p = tf.sigmoid(logits)
    return -tf.reduce_mean(y * tf.math.log(p) + (1 - y) * tf.math.log(1 - p), axis=-1)


def cce_on_sigmoid_outputs(y, probs):
    """BUG: categorical cross-entropy -sum y log p on *sigmoid probabilities*: labels that are 0 never enter it."""
    return -tf.reduce_sum(y * tf.math.log(tf.clip_by_value(probs, 1e-7, 1.0)), axis=-1)


# --- Broken training code of exercise 05 (find and fix) --------------------------------


def broken_mask_loss(y, logits):
    """BUG x2 (exercise 05): rounds the logits (no gradient) and sums over the labels (K times too large)."""
    return tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=tf.round(logits)), axis=-1)


def build_broken_digit_model():
    """BUG (exercise 05): 256 canvas pixels -> Dense(64) -> Dense(10, softmax), trained with a from-logits loss."""
    _, keras = import_tensorflow_quietly()
    inputs = keras.Input((256,), name="pixels")
    hidden = keras.layers.Dense(64, activation="relu", name="hidden")(inputs)
    outputs = keras.layers.Dense(10, activation="softmax", name="probabilities")(hidden)
    return keras.Model(inputs, outputs, name="broken_digit_model")


def train_broken_digit_classifier(x, y, epochs: int = 5):
    """BUG x3 (exercise 05): softmax + CCE on multi-hot, metrics=['accuracy'], plain SGD at 1e-4."""
    _, keras = import_tensorflow_quietly()
    model = build_broken_digit_model()
    model.compile(
        optimizer=keras.optimizers.SGD(1e-4),
        loss=keras.losses.CategoricalCrossentropy(),
        metrics=["accuracy"],
    )
    model.fit(x, y, epochs=epochs, batch_size=64, verbose=0)
    return model
