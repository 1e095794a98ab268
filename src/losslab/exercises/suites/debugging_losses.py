"""Checks for exercise 05: find and fix broken training code, graded by behaviour.

Nothing here reads the learner's source. Each check *runs* the fixed code and looks at
what it does, with the diagnostics of :mod:`losslab.debugging.diagnostics`:

* ``mask_loss(y_true, logits)`` -> ``(batch,)`` tensor: BCE on logits averaged over the labels;
  it must have a gradient, start near ln 2, and equal Keras' BCE;
* ``build_digit_model()`` -> a Keras model from 256 flattened canvas pixels to 10 *logits*;
  it must pass the logits-vs-probabilities check and memorise one batch;
* ``train_digit_classifier(x, y, epochs=5)`` -> the trained logits model; it must train
  (finite loss), beat the base rates on held-out canvases, reach a micro-F1 bar, and not be
  compiled with a metric that means something else on multi-label targets.
"""

from __future__ import annotations

import numpy as np

from losslab.exercises.checks import Check, Mistake, as_array
from losslab.exercises.tensor_checks import charged_elsewhere, expect_reference

__all__ = ["CHECKS", "EXERCISE", "MIN_MICRO_F1"]

EXERCISE = "05_debugging_losses"
MIN_MICRO_F1 = 0.5  # fixed: about 0.55 (Adam 1e-3) to 0.78 (Adam 1e-2) in 5 epochs; broken: 0.0


def _tf():
    from losslab.environment.runtime import import_tensorflow_quietly

    return import_tensorflow_quietly()


def _canvas_batch(n: int = 32, seed: int = 7):
    from losslab.data.canvases import load_canvases

    data = load_canvases(n_train=n, n_val=1, n_test=1, seed=seed).train
    return data.x.reshape(-1, 256), data.y_multi_hot


# --- mask_loss ---------------------------------------------------------------------


def _mask_loss_gradient(fn):
    from losslab.debugging.diagnostics import check_loss_gradient

    tf, _ = _tf()
    rng = np.random.default_rng(0)
    y = (rng.random((2, 6)) < 0.3).astype(np.float32)
    logits = rng.normal(size=(2, 6))
    out = fn(tf.constant(y, tf.float64), tf.constant(logits, tf.float64))
    if getattr(out, "dtype", None) is not None and out.dtype != tf.float64:
        raise Mistake(
            f"float64 logits gave a {out.dtype.name} loss: compute in the logits' dtype (cast the labels to "
            f"logits.dtype, not to float32), so the gradient can be checked in float64"
        )
    verdict = check_loss_gradient(fn, y, logits)
    if not verdict.ok:
        raise Mistake(
            f"{verdict.message}. Is tf.round still in the loss? Round predictions after training, never inside the loss"
        )


def _mask_loss_against_keras(fn, n: int, labels: int, seed: int, charged: bool) -> None:
    """mask_loss on a random (n, labels) batch against Keras' BCE; known mistakes named when ``charged``."""
    tf, keras = _tf()
    rng = np.random.default_rng(seed)
    y = (rng.random((n, labels)) < 0.05).astype(np.float32)
    logits = rng.normal(0, 2, size=(n, labels)).astype(np.float32)
    what = f"mask_loss on a batch of {n} x {labels} labels"
    got = as_array(fn(tf.constant(y), tf.constant(logits)), what).astype(np.float64)
    bce = keras.losses.BinaryCrossentropy(from_logits=True, reduction=None)
    want, rounded = bce(y, logits).numpy(), bce(y, np.round(logits)).numpy()
    known = [
        (
            labels * want,
            f"your loss is {labels} times Keras' BCE: you still sum over the labels; average them",
        ),
        (-want, "your loss is negative: a minus sign is missing"),
        (rounded, "", False),  # tf.round before the loss: charged by the gradient check
        (labels * rounded, "", False),
    ]
    if not charged:
        known = charged_elsewhere(known)
    if got.shape != want.shape:
        if not charged:
            return  # a shape mistake is charged by the self-check
        raise Mistake(
            f"return one loss per example, shape {want.shape}; got {got.shape} (reduce over the labels only)"
        )
    expect_reference(got, want, f"{what}, compared with BinaryCrossentropy(from_logits=True)", known,
                     rtol=1e-5, atol=1e-6)  # fmt: skip


def _mask_loss_value(fn):
    _mask_loss_against_keras(fn, 3, 4096, seed=1, charged=True)


def _mask_loss_new_batch(fn):
    """Grading only: the value check on a batch and a number of labels the learner has not seen."""
    _mask_loss_against_keras(fn, 5, 1000, seed=5, charged=False)


def _mask_loss_initial(fn):
    tf, keras = _tf()
    from losslab.debugging.diagnostics import check_initial_loss

    keras.utils.set_random_seed(0)
    inputs = keras.Input((16,))
    model = keras.Model(inputs, keras.layers.Dense(64, kernel_initializer="zeros")(inputs))
    y = (np.random.default_rng(2).random((8, 64)) < 0.1).astype(np.float32)
    start = as_array(fn(tf.constant(y), tf.zeros((8, 64))), "mask_loss at logits 0").astype(np.float64)
    summed = start.shape == (8,) and np.allclose(start, 64 * np.log(2.0), rtol=1e-4)
    verdict = check_initial_loss(model, np.ones((8, 16), np.float32), y, fn)
    if not verdict.ok and not summed:  # a sum over labels is charged by the check against Keras
        raise Mistake(str(verdict))
    big = as_array(
        fn(tf.constant(y[:1]), tf.constant(np.full((1, 64), 1e4, np.float32))), "mask_loss at logits 1e4"
    )
    if not np.all(np.isfinite(big)):
        raise Mistake(
            "mask_loss is not finite at logits of 1e4: use the stable tf.nn.sigmoid_cross_entropy_with_logits"
        )


# --- build_digit_model ----------------------------------------------------------------


def _model_from(fn):
    _, keras = _tf()
    model = fn()
    if not isinstance(model, keras.Model):
        raise Mistake(f"build_digit_model() should return a keras.Model, got {type(model).__name__}")
    return model


def _digit_model_logits(fn):
    _, keras = _tf()
    from losslab.debugging.diagnostics import check_logits_vs_probabilities

    model = _model_from(fn)
    x, _ = _canvas_batch()
    out = as_array(model(x), "build_digit_model()(x)")
    if out.shape != (len(x), 10):
        raise Mistake(f"the model should map (n, 256) pixels to (n, 10) outputs, got {out.shape}")
    if _output_activation(model) == "sigmoid":
        raise Mistake(
            "build_digit_model ends in a sigmoid, so it outputs probabilities, but the training code's loss "
            "expects logits (from_logits=True). Keras' own losses happen to find the logits under a sigmoid "
            "layer (with a warning), so training still works; everything else you do with the outputs - a "
            "hand-written loss, a threshold at 0, tf.sigmoid(model(x)) - sees probabilities. Remove the "
            "final activation: output logits"
        )
    verdict = check_logits_vs_probabilities(model, x, keras.losses.BinaryCrossentropy(from_logits=True))
    if not verdict.ok:
        raise Mistake(f"{verdict.message} (the training code uses from_logits=True)")


def _output_activation(model) -> str:
    """The name of the activation of the model's last layer ('linear' when it has none)."""
    activation = getattr(model.layers[-1], "activation", None) if model.layers else None
    return str(getattr(activation, "__name__", activation or "linear"))


def _digit_model_overfits(fn):
    _, keras = _tf()
    from losslab.debugging.diagnostics import overfit_one_batch

    keras.utils.set_random_seed(0)
    model = _model_from(fn)
    x, y = _canvas_batch(16)
    # a final activation is charged by the logits check; here, count mistakes on what the model outputs
    outputs = "none" if _output_activation(model) in ("sigmoid", "softmax") else "sigmoid"
    verdict = overfit_one_batch(
        model,
        x,
        y,
        keras.losses.BinaryCrossentropy(from_logits=True),
        steps=150,
        learning_rate=0.01,
        activation=outputs,
    )
    if not verdict.ok:
        raise Mistake(verdict.message)


# --- train_digit_classifier -------------------------------------------------------------


def _trained(fn):
    _, keras = _tf()
    from losslab.data.canvases import load_canvases

    data = load_canvases(n_train=2000, n_val=500, n_test=1, seed=11)
    keras.utils.set_random_seed(0)
    model = fn(data.train.x.reshape(-1, 256), data.train.y_multi_hot, epochs=5)
    if not isinstance(model, keras.Model):
        raise Mistake(
            f"train_digit_classifier should return the trained keras.Model, got {type(model).__name__}"
        )
    return model, data


def _classifier_learns(fn):
    from sklearn.metrics import f1_score

    from losslab.debugging.diagnostics import check_output_statistics

    model, data = _trained(fn)
    x_val, y_val = data.val.x.reshape(-1, 256), data.val.y_multi_hot
    out = as_array(model(x_val), "the trained model's output").astype(np.float64)
    if not np.all(np.isfinite(out)):
        raise Mistake(
            "the trained model outputs NaN or inf: the loss blew up (look for log(0) or a huge learning rate)"
        )
    if _output_activation(model) == "sigmoid":
        probs = out  # a sigmoid left in build_digit_model is charged by build_digit_model's checks
    else:
        probs = 1 / (1 + np.exp(-out))
    verdict = check_output_statistics(probs, y_val, base_rates=data.train.y_multi_hot.mean(axis=0))
    if not verdict.ok:
        raise Mistake(
            f"{verdict.message} Multi-label targets need sigmoid + binary cross-entropy, and SGD at 1e-4 "
            f"barely moves in 5 epochs: try Adam with a learning rate around 1e-3 to 1e-2."
        )
    score = f1_score(y_val, probs >= 0.5, average="micro")
    if score < MIN_MICRO_F1:
        raise Mistake(
            f"held-out micro-F1 is {score:.3f}; a fixed classifier reaches at least {MIN_MICRO_F1} in 5 epochs"
        )


def _classifier_metrics(fn):
    from losslab.debugging.diagnostics import check_compiled_metrics

    model, data = _trained(fn)
    verdict = check_compiled_metrics(model, data.val.y_multi_hot)
    if not verdict.ok:
        raise Mistake(verdict.message)


CHECKS = [
    Check("mask_loss", "has a gradient (nothing rounds the logits)", _mask_loss_gradient),
    Check("mask_loss", "equals Keras' BCE: mean over labels, right sign", _mask_loss_value),
    Check("mask_loss", "starts at ln 2 and stays finite at large logits", _mask_loss_initial),
    Check("mask_loss", "a new batch with 1,000 labels", _mask_loss_new_batch, self_check=False),
    Check("build_digit_model", "outputs 10 logits for a from_logits loss", _digit_model_logits),
    Check("build_digit_model", "can memorise one batch", _digit_model_overfits),
    Check(
        "train_digit_classifier", "trains: beats the base rates, micro-F1 bar", _classifier_learns, points=2
    ),
    Check("train_digit_classifier", "no metric that argmaxes multi-label targets", _classifier_metrics),
]
