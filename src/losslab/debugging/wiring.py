"""Is the model wired to its loss and metrics as intended? Read from its structure and by probing.

* :func:`check_logits_vs_probabilities` - is a loss that expects logits being fed
  probabilities (sigmoid/softmax applied twice), or the reverse?
* :func:`check_compiled_metrics` - ``'accuracy'`` that became argmax, BinaryAccuracy on mostly-zero labels.

Both return a :class:`~losslab.debugging.verdict.Verdict`; they are part of
:mod:`losslab.debugging.diagnostics`, which re-exports them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from losslab.debugging.verdict import LN2, Verdict, _fmt, _predict, _scalar_loss, _targets
from losslab.environment.runtime import import_tensorflow_quietly

__all__ = [
    "check_compiled_metrics",
    "check_logits_vs_probabilities",
    "final_activation",
    "loss_expects_logits",
    "loss_uses_cached_logits",
]


# --- what does the model output, what does the loss expect -------------------


def final_activation(model) -> str | None:
    """The activation at the end of a Keras model (``"sigmoid"``, ``"softmax"``, ...), or None if linear.

    Read from the structure: the activation of the last layer (a ``Dense``/``Conv``
    with ``activation=...``, or an ``Activation`` layer), skipping shape-only
    layers such as ``Reshape`` and ``Flatten``.
    """
    layers = list(getattr(model, "layers", []))
    for layer in reversed(layers):
        kind = type(layer).__name__
        if kind in ("Reshape", "Flatten", "InputLayer", "Dropout", "Identity"):
            continue
        activation = getattr(layer, "activation", None)
        if activation is None:
            return None
        name = getattr(activation, "__name__", str(activation))
        return None if name == "linear" else name
    return None


def loss_expects_logits(loss: Callable) -> bool:
    """Probe ``loss`` numerically: True if it treats its input as logits, False for probabilities.

    With targets [1, 0], a logits loss (sigmoid or softmax) gives ln 2 at inputs
    [0, 0] and several times more at [-2, 2]; a probability loss gives about 8-16
    at [0, 0] (a clipped log 0) and an absurd or non-finite value at [-2, 2].
    Works for any callable, on any backend.
    """
    y = np.array([[1.0, 0.0]], np.float32)
    at_zero = _scalar_loss(loss, y, np.zeros((1, 2), np.float32))
    at_minus_two = _scalar_loss(loss, y, np.array([[-2.0, 2.0]], np.float32))
    looks_like_logits = abs(at_zero - LN2) < 0.05 or abs(at_zero - 2 * LN2) < 0.05
    return bool(looks_like_logits and np.isfinite(at_minus_two) and 1.5 < at_minus_two / max(at_zero, 1e-12))


def loss_uses_cached_logits(loss: Callable, activation: str = "sigmoid") -> bool:
    """Probe ``loss``: does it reach back for the logits a Keras ``activation`` caches on its output?

    On the TensorFlow backend a Keras ``sigmoid``/``softmax`` activation stores its
    input on the tensor it returns, and Keras' cross-entropies (``from_logits``
    True or False) compute the loss from those logits instead of the
    probabilities. ``tf.nn`` losses, hand-written losses and other backends do
    not. Measured, not assumed: the loss of the activation's output is compared
    with the loss of a plain tensor holding the same values.
    """
    tf, keras = import_tensorflow_quietly()
    if activation not in ("sigmoid", "softmax"):
        return False
    y = np.array([[1.0, 0.0]], np.float32)
    z = tf.constant([[-20.0, 20.0]])  # far outside the clip band, so a clipped loss differs too
    act = getattr(keras.activations, activation)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras warns when it finds cached logits under from_logits=True
        cached = act(z)
        plain = tf.constant(cached.numpy())
        try:
            via_cache = float(tf.reduce_mean(tf.cast(loss(tf.constant(y), cached), tf.float64)))
            via_plain = float(tf.reduce_mean(tf.cast(loss(tf.constant(y), plain), tf.float64)))
        except Exception:  # noqa: BLE001 - a loss that cannot take this probe makes no claim here
            return False
    return bool(np.isfinite(via_cache) and abs(via_cache - via_plain) > 1e-3 * max(1.0, abs(via_plain)))


def check_logits_vs_probabilities(model, x, loss: Callable) -> Verdict:
    """Does ``loss`` receive what it expects? Catches the activation applied twice and the missing one.

    The model's outputs count as probabilities if its last layer applies sigmoid or
    softmax (structure) or if every output lies in [0, 1] (range, for models whose
    structure cannot be read). The loss's expectation comes from :func:`loss_expects_logits`.
    """
    outputs = _predict(model, x)
    activation = final_activation(model)
    lo, hi = float(outputs.min()), float(outputs.max())
    in_unit = lo >= 0.0 and hi <= 1.0
    outputs_probs = activation in ("sigmoid", "softmax") or in_unit
    expects_logits = loss_expects_logits(loss)
    details = {
        "final_activation": activation or "linear",
        "output_min": lo,
        "output_max": hi,
        "loss_expects_logits": expects_logits,
    }
    how = (
        f"last layer applies {activation}" if activation else f"every output lies in [{_fmt(lo)}, {_fmt(hi)}]"
    )
    if outputs.shape[1] == 1 and (activation == "softmax" or np.allclose(outputs, 1.0)):
        return Verdict(
            "logits vs probabilities",
            False,
            "softmax over a single output unit is always exactly 1.0, whatever the input: use one unit "
            "with a sigmoid (or logits and from_logits=True) for a yes/no label",
            details,
        )
    if outputs_probs and expects_logits and activation and loss_uses_cached_logits(loss, activation):
        details["keras_uses_cached_logits"] = True
        if activation == "sigmoid":
            consequence = "so this trains, but only thanks to that rescue"
        else:
            consequence = (
                f"so the loss you see is computed from those logits, not from the {activation} outputs you "
                f"read: it can fall while the outputs stay wrong"
            )
        return Verdict(
            "logits vs probabilities",
            False,
            f"the model outputs probabilities ({how}) and the loss is told it gets logits: on the "
            f"TensorFlow backend Keras notices the {activation} layer and computes the loss from the logits "
            f"cached on its output (and warns), {consequence}. With a tf.nn loss or another Keras backend "
            f"the activation would run twice. Output logits (no final activation).",
            details,
        )
    if outputs_probs and expects_logits:
        return Verdict(
            "logits vs probabilities",
            False,
            f"the model outputs probabilities ({how}) but the loss applies sigmoid/softmax itself: the "
            f"activation runs twice, so the loss sees sigmoid(p) in [0.5, 0.731] and cannot get below "
            f"0.313 (label 1) / 0.693 (label 0). Remove the final activation (output logits) or use "
            f"from_logits=False.",
            details,
        )
    if not outputs_probs and not expects_logits:
        return Verdict(
            "logits vs probabilities",
            False,
            f"the model outputs logits (range [{_fmt(lo)}, {_fmt(hi)}]) but the loss expects "
            f"probabilities: it clips them to [1e-7, 1 - 1e-7], which hides the missing sigmoid and "
            f"kills the gradient outside that band. Use from_logits=True.",
            details,
        )
    what = "probabilities into a probability loss" if outputs_probs else "logits into a logits loss"
    return Verdict(
        "logits vs probabilities", True, f"{what} ({how if outputs_probs else 'linear output'})", details
    )


# --- metrics ---------------------------------------------------------------------


def check_compiled_metrics(model, y) -> Verdict:
    """Do the metrics a model was compiled with mean what their names suggest for targets ``y``?

    Flags ``CategoricalAccuracy`` / ``TopKCategoricalAccuracy`` (what ``metrics=['accuracy']``
    becomes for a ``(batch, K)`` output: argmax vs argmax) on rows that are not one-hot, an
    ``F1Score`` without a threshold (argmax too), and ``BinaryAccuracy`` on mostly-zero labels
    (predicting nothing would already score ``1 - base rate``). Call it after the model has
    been evaluated or fitted once (Keras builds string metrics lazily).
    """
    y = _targets(y)
    found = []
    for metric in getattr(model, "metrics", []):
        found.extend(getattr(metric, "metrics", []) or [])
    names = [type(m).__name__ for m in found]
    details = {"metrics": names}
    if not found:
        return Verdict(
            "compiled metrics",
            True,
            "no metrics compiled (or not built yet: evaluate once first); use scikit-learn on predictions",
            details,
        )
    multi_label = bool((y.sum(axis=1) != 1).any())
    problems = []
    for metric, name in zip(found, names, strict=True):
        if multi_label and name in (
            "CategoricalAccuracy",
            "TopKCategoricalAccuracy",
            "SparseCategoricalAccuracy",
        ):
            problems.append(
                f"{metric.name!r} is {name}: it compares argmaxes, so a prediction that misses a label can "
                f"count as correct (metrics=['accuracy'] resolves to it); use BinaryAccuracy, F1, mAP"
            )
        if multi_label and name == "F1Score" and getattr(metric, "threshold", None) is None:
            problems.append(
                f"{metric.name!r} is F1Score without a threshold: it takes the argmax of each row"
            )
        if name == "BinaryAccuracy" and y.mean() < 0.2:
            problems.append(
                f"{metric.name!r} is BinaryAccuracy on mostly-zero labels (base rate {_fmt(y.mean())}): predicting "
                f"nothing already scores {_fmt(1 - y.mean())}; report F1 or mAP as well"
            )
    if problems:
        return Verdict("compiled metrics", False, "; ".join(problems), details)
    return Verdict("compiled metrics", True, f"{', '.join(names)} suit these targets", details)
