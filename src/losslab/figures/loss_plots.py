"""Loss and gradient as functions of a logit: naive vs stable formulas, in float32 (lessons 02-03).

The curves are computed by pure functions (:func:`bce_curves`, :func:`cce_curves`)
with TensorFlow in float32, exactly as a model would compute them, so the
figures show the real inf/NaN a naive formula produces and tests can check the
numbers. The ``plot_*`` functions draw them and return the matplotlib Figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from losslab.environment.runtime import import_tensorflow_quietly

__all__ = [
    "KERAS_EPSILON",
    "bce_curves",
    "cce_curves",
    "plot_bce_curves",
    "plot_cce_curves",
    "plot_loss_histories",
]

KERAS_EPSILON = 1e-7  # keras.config.epsilon(): Keras clips probabilities to [eps, 1 - eps]


def _as_grid(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x must be a non-empty 1-D array of logits, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x must hold finite logits")
    return x


def _value_and_grad(f, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tf, _ = import_tensorflow_quietly()
    xv = tf.Variable(x)
    with tf.GradientTape() as tape:
        out = f(xv)
    return out.numpy(), tape.gradient(out, xv).numpy()


def bce_curves(x, z: float = 1.0) -> dict[str, dict[str, np.ndarray]]:
    """Per-element BCE and its gradient at logits ``x`` for label ``z``, three ways, in float32.

    Args:
        x: 1-D logits (float32 after conversion).
        z: the label, a number in [0, 1].

    Returns:
        ``{"naive": {...}, "clipped": {...}, "stable": {...}}``, each ``{"loss": (n,), "grad": (n,)}``
        float32: ``naive`` takes log(sigmoid(x)) directly; ``clipped`` is Keras' BCE on
        probabilities (sigmoid, then clip to [1e-7, 1 - 1e-7]); ``stable`` is
        max(x, 0) - x z + log(1 + exp(-|x|)) (``tf.nn.sigmoid_cross_entropy_with_logits``).
        Gradients are d loss / d x by GradientTape (NaN and inf kept: that is the point).
    """
    if not 0.0 <= float(z) <= 1.0:
        raise ValueError(f"z is a label and must lie in [0, 1], got {z}")
    tf, _ = import_tensorflow_quietly()
    x = _as_grid(x)
    zt = tf.constant(float(z), tf.float32)

    def naive(v):
        p = tf.sigmoid(v)
        return -(zt * tf.math.log(p) + (1 - zt) * tf.math.log(1 - p))

    def clipped(v):
        p = tf.clip_by_value(tf.sigmoid(v), KERAS_EPSILON, 1 - KERAS_EPSILON)
        return -(zt * tf.math.log(p) + (1 - zt) * tf.math.log(1 - p))

    def stable(v):
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.fill(tf.shape(v), zt), logits=v)

    out = {}
    for name, f in (("naive", naive), ("clipped", clipped), ("stable", stable)):
        loss, grad = _value_and_grad(f, x)
        out[name] = {"loss": loss, "grad": grad}
    return out


def cce_curves(t, others: Sequence[float] = (0.0, 0.0), target: int = 1) -> dict[str, dict[str, np.ndarray]]:
    """CCE and its gradient w.r.t. logit 0 as that logit moves through ``t``, naive vs stable, float32.

    The logit vector is ``[t, *others]`` and the true class is ``target`` (one-hot).

    Returns:
        ``{"naive": {...}, "stable": {...}}``, each ``{"loss": (n,), "grad": (n,)}`` float32;
        ``naive`` is -log(exp(x_c) / sum(exp(x))) without shifting, ``stable`` is
        ``tf.nn.softmax_cross_entropy_with_logits`` (log-sum-exp).
    """
    tf, _ = import_tensorflow_quietly()
    t = _as_grid(t)
    others = np.asarray(others, dtype=np.float32)
    n_classes = 1 + others.size
    if not 0 <= target < n_classes:
        raise ValueError(f"target must be a class index in 0..{n_classes - 1}, got {target}")
    y = tf.one_hot(tf.fill([t.size], target), n_classes)
    rest = tf.constant(np.tile(others, (t.size, 1)))

    def logits(v):
        return tf.concat([v[:, None], rest], axis=1)

    def naive(v):
        e = tf.exp(logits(v))
        return -tf.reduce_sum(y * tf.math.log(e / tf.reduce_sum(e, axis=1, keepdims=True)), axis=1)

    def stable(v):
        return tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits(v))

    out = {}
    for name, f in (("naive", naive), ("stable", stable)):
        loss, grad = _value_and_grad(f, t)
        out[name] = {"loss": loss, "grad": grad}
    return out


# Where the curves coincide, every one must stay visible: the stable curve is drawn wide and pale
# underneath, the clipped one dashed above it, the naive one dotted on top.
_STYLE = {
    "naive": {"color": "#d62728", "lw": 2.0, "ls": (0, (1.5, 1.5)), "zorder": 4},
    "clipped": {"color": "#ff7f0e", "lw": 2.2, "ls": (0, (5, 3)), "zorder": 3},
    "stable": {"color": "#1f77b4", "lw": 4.5, "ls": "-", "alpha": 0.45, "zorder": 2},
}


def _shade_bad(ax, x: np.ndarray, values: np.ndarray, label: str) -> None:
    """Shade where ``values`` is inf or NaN, and say which."""
    bad = ~np.isfinite(values)
    if not bad.any():
        return
    kinds = sorted({"NaN" if np.isnan(v) else "inf" for v in values[bad]})
    ax.fill_between(x, 0, 1, where=bad, transform=ax.get_xaxis_transform(), color="#d62728", alpha=0.12, lw=0)
    ax.plot([], [], color="#d62728", alpha=0.3, lw=6, label=f"{label}: {' / '.join(kinds)}")


def _curves_figure(x, curves, names, title, xlabel):
    import matplotlib.pyplot as plt

    fig, (ax_loss, ax_grad) = plt.subplots(1, 2, figsize=(9.5, 3.4))
    for ax, key, ylabel in ((ax_loss, "loss", "loss"), (ax_grad, "grad", "d loss / d logit")):
        for name in names:
            values = curves[name][key]
            ax.plot(x, np.where(np.isfinite(values), values, np.nan), label=name, **_STYLE[name])
        _shade_bad(ax, x, curves["naive"][key], "naive")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    ax_loss.legend(loc="best")
    ax_grad.legend(loc="best")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_bce_curves(z: float = 1.0, x_range: tuple[float, float] = (-120.0, 40.0), clipped: bool = True):
    """BCE loss and gradient vs the logit for label ``z``: naive, Keras-clipped and stable (float32)."""
    x = np.linspace(*x_range, 641, dtype=np.float32)
    curves = bce_curves(x, z)
    names = ("naive", "clipped", "stable") if clipped else ("naive", "stable")
    return _curves_figure(x, curves, names, f"binary cross-entropy, label z = {z:g} (float32)", "logit x")


def plot_cce_curves(others: Sequence[float] = (0.0, 0.0), target: int = 1, t_range=(-20.0, 200.0)):
    """CCE loss and gradient as logit 0 moves (true class ``target``): naive vs stable (float32)."""
    t = np.linspace(*t_range, 661, dtype=np.float32)
    curves = cce_curves(t, others, target)
    title = (
        f"categorical cross-entropy, logits [t, {', '.join(f'{o:g}' for o in others)}], true class {target}"
    )
    return _curves_figure(t, curves, ("naive", "stable"), title, "logit t of class 0")


def plot_loss_histories(histories: Mapping[str, Sequence[float]], title: str = "", log_scale: bool = True):
    """Training loss per epoch for several runs (``{name: [loss per epoch]}``), on one axis."""
    import matplotlib.pyplot as plt

    if not histories:
        raise ValueError("histories is empty: give {run name: [loss per epoch]}")
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    for name, values in histories.items():
        values = np.asarray(values, dtype=np.float64)
        ax.plot(np.arange(1, values.size + 1), values, marker="o", label=name)
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.legend(loc="best")
    fig.tight_layout()
    return fig
