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
* :func:`check_compiled_metrics` - ``'accuracy'`` that became argmax, BinaryAccuracy on mostly-zero labels.

All inputs are NumPy-convertible: ``x`` a batch of model inputs, ``y`` 0/1
targets ``(n, K)`` (multi-hot or one-hot) float32, model outputs ``(n, K)``.
A *loss* here is any callable ``loss(y_true, outputs) -> tensor`` (a Keras
loss object, or a function of TensorFlow ops); its result is averaged to a scalar.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np

from losslab.debugging.gradcheck import gradient_check
from losslab.debugging.verdict import LN2, Verdict, _array, _fmt, _predict, _scalar_loss, _targets
from losslab.debugging.wiring import (
    check_compiled_metrics,
    check_logits_vs_probabilities,
    final_activation,
    loss_expects_logits,
    loss_uses_cached_logits,
)
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
    "loss_uses_cached_logits",
    "overfit_one_batch",
]


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
