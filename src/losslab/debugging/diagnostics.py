"""Diagnostics to point at a model, a loss and data when training "doesn't work".

Each diagnostic returns a :class:`Verdict` that prints as one readable line
(✔ or ✘, what was measured, what it means) and keeps the numbers in
``details``:

* :func:`check_initial_loss` - the loss before training vs its expected value
  (ln C for softmax + CCE, ln 2 per label for sigmoid + BCE with a mean over labels);
  also flags a sum over labels (×K) and a negative loss (a missing minus sign).
* :func:`check_logits_vs_probabilities` - is a loss that expects logits being
  fed probabilities (sigmoid/softmax applied twice), or the reverse? Read from
  the model's structure (its last layer) *and* from its output range, and from
  probing the loss numerically, so it works for any loss callable and backend.
* :func:`check_output_statistics` - predicted probabilities vs the label base
  rates: outputs that sit at the base rate whatever the input ("collapse").
* :func:`check_loss_gradient` - the loss's GradientTape gradient vs finite
  differences (:mod:`losslab.debugging.gradcheck`), and gradients that vanish (``tf.round``, clipping).
* :func:`overfit_one_batch` - a healthy model and loss can memorise a handful of examples.
* :func:`check_compiled_metrics` - ``'accuracy'`` that became argmax, BinaryAccuracy on sparse labels.

All inputs are NumPy-convertible: ``x`` a batch of model inputs, ``y`` 0/1
targets ``(n, K)`` (multi-hot or one-hot) float32, model outputs ``(n, K)``.
A *loss* here is any callable ``loss(y_true, outputs) -> tensor`` (a Keras
loss object, or a function of TensorFlow ops); its result is averaged to a scalar.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from losslab.debugging.gradcheck import gradient_check
from losslab.environment.runtime import import_tensorflow_quietly

__all__ = [
    "Verdict",
    "check_compiled_metrics",
    "check_initial_loss",
    "check_logits_vs_probabilities",
    "check_loss_gradient",
    "check_output_statistics",
    "final_activation",
    "loss_expects_logits",
    "overfit_one_batch",
]

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
    ``F1Score`` without a threshold (argmax too), and ``BinaryAccuracy`` on sparse labels
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
                f"{metric.name!r} is BinaryAccuracy on sparse labels (base rate {_fmt(y.mean())}): predicting "
                f"nothing already scores {_fmt(1 - y.mean())}; report F1 or mAP as well"
            )
    if problems:
        return Verdict("compiled metrics", False, "; ".join(problems), details)
    return Verdict("compiled metrics", True, f"{', '.join(names)} suit these targets", details)


# --- initial loss --------------------------------------------------------------


def check_initial_loss(model, x, y, loss: Callable, kind: str = "multilabel", rtol: float = 0.25) -> Verdict:
    """Compare the loss of an untrained model with its expected value.

    Expected: ln 2 ≈ 0.693 for ``kind="multilabel"`` (sigmoid + BCE averaged over
    labels: every logit starts near 0) and ln C for ``kind="multiclass"`` (softmax + CCE
    over C classes). Passes within ``rtol`` relative. A loss K times too large
    points at a sum over labels instead of a mean; a negative loss at a missing minus sign.
    """
    if kind not in ("multilabel", "multiclass"):
        raise ValueError(f"kind must be 'multilabel' or 'multiclass', got {kind!r}")
    y = _targets(y)
    outputs = _predict(model, x)
    if outputs.shape != y.shape:
        raise ValueError(f"the model outputs shape {outputs.shape} but y has {y.shape}: they must match")
    k = y.shape[1]
    expected = LN2 if kind == "multilabel" else math.log(k)
    value = _scalar_loss(loss, y, outputs)
    details = {"loss": value, "expected": expected, "num_labels": k}
    formula = "ln 2 per label" if kind == "multilabel" else f"ln {k}"
    if not np.isfinite(value):
        return Verdict(
            "initial loss", False, f"the loss is {value} before training: look for log(0)", details
        )
    if value < 0:
        return Verdict(
            "initial loss",
            False,
            f"{_fmt(value)} is negative: cross-entropy is -sum y log p >= 0, so a minus sign is missing",
            details,
        )
    if kind == "multilabel" and k > 1 and abs(value / (k * expected) - 1) <= rtol:
        return Verdict(
            "initial loss",
            False,
            f"{_fmt(value)} ≈ {k} × ln 2 = {_fmt(k * expected)}: the loss sums over the {k} labels instead of "
            f"averaging, which multiplies the effective learning rate by {k}",
            details,
        )
    if abs(value / expected - 1) <= rtol:
        return Verdict(
            "initial loss", True, f"{_fmt(value)}, expected about {_fmt(expected)} ({formula})", details
        )
    return Verdict(
        "initial loss",
        False,
        f"{_fmt(value)}, expected about {_fmt(expected)} ({formula}): an untrained model should be unsure. "
        f"Check the final activation vs from_logits, the reduction, and the scale of the initial weights.",
        details,
    )


# --- outputs vs base rates -------------------------------------------------------


def _bce(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def check_output_statistics(
    probs, y, base_rates=None, min_separation: float = 0.1, min_gain: float = 0.1
) -> Verdict:
    """Are the predicted probabilities informative, or stuck at the label base rates?

    Args:
        probs: predicted probabilities ``(n, K)`` in [0, 1] (from the probability model).
        y: 0/1 targets ``(n, K)``.
        base_rates: the fraction of positives per label ``(K,)`` on the training data
            (default: measured on ``y``).
        min_separation: the smallest acceptable gap between the mean probability given to
            positives and to negatives.
        min_gain: the model's BCE must be at least this fraction below the BCE of the
            constant predictor that outputs each label's base rate.

    A model that predicts each label's base rate π whatever the input ("collapse")
    has almost no gap between positives and negatives and a BCE no better than the
    constant predictor's: it learned the prior, not the input.
    """
    p = _array(probs, "probs")
    y = _targets(y)
    if p.shape != y.shape:
        raise ValueError(f"probs have shape {p.shape} but y has {y.shape}: they must match")
    if p.min() < 0 or p.max() > 1:
        raise ValueError("probs must lie in [0, 1]: pass the probability model's output, not logits")
    base = y.mean(axis=0) if base_rates is None else np.asarray(base_rates, dtype=np.float64).reshape(-1)
    if base.shape != (y.shape[1],):
        raise ValueError(f"base_rates must have one entry per label ({y.shape[1]}), got shape {base.shape}")
    pos = float(p[y == 1].mean()) if (y == 1).any() else float("nan")
    neg = float(p[y == 0].mean()) if (y == 0).any() else float("nan")
    gap = pos - neg
    model_bce, prior_bce = _bce(y, p), _bce(y, np.broadcast_to(base, y.shape))
    low, high = float(np.percentile(p, 5)), float(np.percentile(p, 95))
    details = {
        "mean_base_rate": float(base.mean()),
        "mean_output": float(p.mean()),
        "mean_on_positives": pos,
        "mean_on_negatives": neg,
        "separation": gap,
        "output_range": (low, high),
        "model_bce": model_bce,
        "base_rate_bce": prior_bce,
    }
    facts = (
        f"positives get {_fmt(pos)} on average, negatives {_fmt(neg)} (gap {_fmt(gap)}); "
        f"BCE {_fmt(model_bce)} vs {_fmt(prior_bce)} for always predicting the base rates"
    )
    if not gap >= min_separation or not model_bce <= (1 - min_gain) * prior_bce:
        return Verdict(
            "outputs vs base rates",
            False,
            f"{facts}: the model is no better than the prior, it has not learned the input. Check that "
            f"the loss reaches the logits, then the learning rate, epochs, capacity and imbalance.",
            details,
        )
    return Verdict("outputs vs base rates", True, facts, details)


# --- gradients -------------------------------------------------------------------


def check_loss_gradient(loss: Callable, y, logits, min_nonzero: float = 0.5) -> Verdict:
    """Gradient of ``mean(loss(y, logits))`` by GradientTape vs finite differences, in float64.

    Fails when there is no gradient path (e.g. ``tf.round`` or ``.numpy()`` inside), when
    the two gradients disagree (e.g. TF's softmax CE on labels that are not
    distributions), or when the gradient is zero at more than ``1 - min_nonzero`` of the
    coordinates (clipping or rounding kills it). Keep ``logits`` small (a few × 10 values).
    """
    tf, _ = import_tensorflow_quietly()
    y = _targets(y)
    z = _array(logits, "logits")
    if z.shape != y.shape:
        raise ValueError(f"logits have shape {z.shape} but y has {y.shape}: they must match")
    yt = tf.constant(y, tf.float64)

    def f(t):
        return tf.reduce_mean(tf.cast(loss(yt, t), tf.float64))

    try:
        result = gradient_check(f, z)
    except ValueError:
        return Verdict(
            "loss gradient",
            False,
            "no gradient reaches the logits: an op without a gradient (tf.round, tf.argmax, a cast to "
            "int) or a step outside TensorFlow (.numpy(), np.*) sits between the logits and the loss",
            {},
        )
    nonzero = float(np.mean(np.abs(result.analytic) > 1e-12))
    details = {
        "max_abs_error": result.max_abs_error,
        "max_rel_error": result.max_rel_error,
        "nonzero": nonzero,
    }
    if nonzero < min_nonzero:
        return Verdict(
            "loss gradient",
            False,
            f"the gradient is zero at {_fmt(100 * (1 - nonzero))} % of the logits: nothing can learn "
            f"through it (rounding, clipping or a saturated probability loss)",
            details,
        )
    if not result.ok:
        return Verdict(
            "loss gradient",
            False,
            f"GradientTape and finite differences disagree ({result}): the op's gradient is wrong for "
            f"these targets (e.g. softmax CE on rows that do not sum to 1)",
            details,
        )
    return Verdict("loss gradient", True, str(result), details)


# --- overfit one batch -------------------------------------------------------------


def overfit_one_batch(
    model,
    x,
    y,
    loss: Callable,
    steps: int = 150,
    learning_rate: float = 0.01,
    target_fraction: float = 0.1,
    activation: str = "sigmoid",
) -> Verdict:
    """Train a copy of ``model`` on one small batch; a healthy setup drives the loss near 0.

    Args:
        model: a Keras model (trained in place, then its weights are restored).
        x, y: a small batch (8-32 examples); y 0/1 ``(n, K)``.
        loss: the loss callable to train with.
        steps: Adam steps on the batch.
        learning_rate: Adam's learning rate.
        target_fraction: pass if the final loss is below this fraction of the first (or below 0.05).
        activation: how to turn the model's outputs into probabilities to count
            mistakes (``"sigmoid"``, ``"softmax"``, or ``"none"`` if it already outputs them).

    Returns:
        A verdict with ``details`` ``first_loss``, ``final_loss``, ``losses`` (every 10th step),
        ``wrong_labels`` and ``keras_warnings`` (warnings raised while training, kept out of the
        notebook's stderr); fails on a non-finite loss, a loss that goes negative, or one that
        does not fall.
    """
    tf, keras = import_tensorflow_quietly()
    y = _targets(y)
    x = np.asarray(x, dtype=np.float32)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} examples but y has {len(y)}: they must match")
    if activation not in ("sigmoid", "softmax", "none"):
        raise ValueError(f"activation must be 'sigmoid', 'softmax' or 'none', got {activation!r}")
    saved = model.get_weights()  # train in place, then put the weights back
    optimizer = keras.optimizers.Adam(learning_rate)
    yt = tf.constant(y, tf.float32)
    xt = tf.constant(x)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            value = tf.reduce_mean(tf.cast(loss(yt, model(xt, training=True)), tf.float32))
        grads = tape.gradient(value, model.trainable_variables)
        pairs = [(g, v) for g, v in zip(grads, model.trainable_variables, strict=True) if g is not None]
        if pairs:
            optimizer.apply_gradients(pairs)
        return value

    losses = []
    with warnings.catch_warnings(record=True) as caught:  # e.g. Keras' "from_logits=True but ... Sigmoid"
        warnings.simplefilter("always")
        try:
            for i in range(steps):
                value = float(step())
                if i % 10 == 0 or i == steps - 1:
                    losses.append(value)
                if not np.isfinite(value):
                    losses.append(value)
                    break
            out = _predict(model, x)
        finally:
            model.set_weights(saved)
    keras_warnings = sorted({str(w.message).strip('"` ').split(".")[0] for w in caught})
    first, final = losses[0], losses[-1]
    with np.errstate(over="ignore", invalid="ignore"):
        if activation == "sigmoid":
            probs = 1 / (1 + np.exp(-np.clip(out, -50, 50)))
        elif activation == "softmax":
            e = np.exp(out - out.max(axis=1, keepdims=True))
            probs = e / e.sum(axis=1, keepdims=True)
        else:
            probs = out
    wrong = int(((probs > 0.5) != (y == 1)).sum())
    details = {
        "first_loss": first,
        "final_loss": final,
        "losses": losses,
        "wrong_labels": wrong,
        "keras_warnings": keras_warnings,
    }
    if any(v < 0 for v in losses):
        return Verdict(
            "overfit one batch",
            False,
            f"the loss went from {_fmt(first)} to {_fmt(final)}: below 0, so the optimiser is rewarded for "
            f"being wrong (a missing minus sign)",
            details,
        )
    if not np.isfinite(final):
        return Verdict(
            "overfit one batch", False, f"the loss became {final} while training: look for log(0)", details
        )
    if final > target_fraction * first and final > 0.05:
        return Verdict(
            "overfit one batch",
            False,
            f"{len(x)} examples, {steps} steps: the loss only went from {_fmt(first)} to {_fmt(final)} and "
            f"{wrong} labels are still wrong. A healthy setup memorises one batch: look for a loss that "
            f"floors (activation applied twice), a zero gradient (rounding, clipping) or a wrong target format",
            details,
        )
    if wrong > 0.05 * y.size:
        return Verdict(
            "overfit one batch",
            False,
            f"the loss fell from {_fmt(first)} to {_fmt(final)} but {wrong} of {y.size} labels are still "
            f"wrong: the loss does not score every label (e.g. -sum y log p ignores the negatives, "
            f"softmax shares one unit of probability between several true labels)",
            details,
        )
    return Verdict(
        "overfit one batch",
        True,
        f"{len(x)} examples, {steps} steps: loss {_fmt(first)} -> {_fmt(final)}, {wrong} labels wrong",
        details,
    )
