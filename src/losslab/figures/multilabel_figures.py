"""Figures for evaluating and debugging multi-label models (lessons 04 and 05).

Each function draws and returns a matplotlib Figure:

* :func:`plot_threshold_sweep` - metrics as one global threshold moves;
* :func:`plot_pr_curves` - one precision-recall curve per label, with its average precision;
* :func:`show_predictions` - canvases next to their predicted probabilities;
* :func:`plot_loss_curves` - training curves of several runs on one axis;
* :func:`plot_output_histograms` - predicted probabilities on positives vs negatives, per run;
* :func:`show_mask_outputs` - images, true masks and each model's output masks (the mask task).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = [
    "plot_loss_curves",
    "plot_output_histograms",
    "plot_pr_curves",
    "plot_threshold_sweep",
    "show_mask_outputs",
    "show_predictions",
]

_LABELS = {
    "micro_f1": "micro-F1",
    "macro_f1": "macro-F1",
    "subset_accuracy": "subset accuracy",
    "hamming_loss": "Hamming loss",
}


def plot_threshold_sweep(sweep: Mapping[str, np.ndarray], marks: Mapping[str, float] | None = None):
    """Plot every metric of ``sweep`` (from :func:`losslab.modeling.decoding.threshold_sweep`) against the threshold.

    ``marks`` draws labelled vertical lines, e.g. ``{"0.5": 0.5, "best on val": 0.35}``.
    Metrics that nearly coincide (micro- and macro-F1 often do) stay visible: each later
    curve is drawn thinner, dashed and on top of the earlier ones.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    t = np.asarray(sweep["threshold"])
    metrics = [key for key in sweep if key != "threshold"]
    for i, key in enumerate(metrics):
        ax.plot(
            t,
            sweep[key],
            marker="." if i == 0 else None,
            ls=("-", "--", "-.", ":")[i % 4],
            lw=max(1.2, 3.2 - 0.6 * i),
            zorder=2 + i,
            label=_LABELS.get(key, key),
        )
    for i, (name, value) in enumerate((marks or {}).items()):
        ax.axvline(value, color="0.4", ls=("--", ":", "-.")[i % 3], lw=1, label=name)
    ax.set_xlabel("threshold on the sigmoid probability")
    ax.set_ylabel("score")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig


def plot_pr_curves(y_true, probs, label_names=None, ncols: int = 5):
    """One precision-recall curve per label (columns of ``y_true``/``probs``, both ``(n, K)``)."""
    import matplotlib.pyplot as plt
    from sklearn.metrics import average_precision_score, precision_recall_curve

    y = np.asarray(y_true)
    p = np.asarray(probs)
    if y.shape != p.shape or y.ndim != 2:
        raise ValueError(f"y_true {y.shape} and probs {p.shape} must be the same 2-D shape")
    k = y.shape[1]
    names = list(label_names) if label_names is not None else [str(i) for i in range(k)]
    nrows = -(-k // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.9 * ncols, 1.9 * nrows), sharex=True, sharey=True)
    axes = np.atleast_1d(axes).ravel()
    for j in range(k):
        ax = axes[j]
        if y[:, j].sum() == 0:
            ax.set_title(f"{names[j]}: no positives", fontsize=8)
            continue
        precision, recall, _ = precision_recall_curve(y[:, j], p[:, j])
        ax.plot(recall, precision, lw=1.5)
        ax.axhline(y[:, j].mean(), color="0.6", ls=":", lw=1)  # a random ranking's precision
        ax.set_title(f"{names[j]}: AP {average_precision_score(y[:, j], p[:, j]):.3f}", fontsize=9)
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
    for ax in axes[k:]:
        ax.axis("off")
    fig.supxlabel("recall", fontsize=9)
    fig.supylabel("precision", fontsize=9)
    fig.tight_layout()
    return fig


def show_predictions(canvases, probs, indices, threshold: float = 0.5):
    """Canvases (top row) and their ten predicted probabilities (bottom row).

    Bars of true labels are dark, the others light; the dashed line is ``threshold``.
    A title in red marks a canvas whose decoded label set is wrong.
    """
    import matplotlib.pyplot as plt

    p = np.asarray(probs)
    idx = list(indices)
    if not idx:
        raise ValueError("give at least one index to show")
    fig, axes = plt.subplots(2, len(idx), figsize=(1.6 * len(idx), 3.3), squeeze=False)
    for col, i in enumerate(idx):
        truth = canvases.y_multi_hot[i] > 0.5
        predicted = p[i] >= threshold
        top, bottom = axes[0, col], axes[1, col]
        top.imshow(canvases.x[i, :, :, 0], vmin=0, vmax=1)
        top.axis("off")
        wrong = not np.array_equal(truth, predicted)
        top.set_title(
            "true {"
            + ",".join(map(str, np.flatnonzero(truth)))
            + "}\npred {"
            + ",".join(map(str, np.flatnonzero(predicted)))
            + "}",
            fontsize=8,
            color="#c62828" if wrong else "black",
        )
        bottom.bar(range(p.shape[1]), p[i], color=np.where(truth, "#1f77b4", "#c6dbef"))
        bottom.axhline(threshold, color="0.3", ls="--", lw=0.8)
        bottom.set_ylim(0, 1)
        bottom.set_xticks(range(p.shape[1]))
        bottom.tick_params(labelsize=6)
        if col:
            bottom.set_yticklabels([])
    fig.tight_layout()
    return fig


def plot_loss_curves(
    histories: Mapping[str, list], ylabel: str = "loss", floors: Mapping[str, float] | None = None
):
    """Per-epoch curves of several runs (``{name: [value per epoch]}``), with optional horizontal lines."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.0, 3.2))
    for name, values in histories.items():
        ax.plot(np.arange(1, len(values) + 1), values, marker=".", label=name)
    for i, (name, value) in enumerate((floors or {}).items()):
        ax.axhline(value, color="0.5", ls=("--", ":", "-.")[i % 3], lw=1, label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig


def plot_output_histograms(outputs: Mapping[str, np.ndarray], y_true, bins: int = 40):
    """For each run, a histogram of its probabilities on positive and on negative labels."""
    import matplotlib.pyplot as plt

    y = np.asarray(y_true) > 0.5
    fig, axes = plt.subplots(1, len(outputs), figsize=(3.0 * len(outputs), 2.6), squeeze=False, sharey=True)
    edges = np.linspace(0, 1, bins + 1)
    for ax, (name, p) in zip(axes[0], outputs.items(), strict=True):
        p = np.asarray(p)
        ax.hist(p[~y], bins=edges, density=True, alpha=0.6, label="label 0")
        ax.hist(p[y], bins=edges, density=True, alpha=0.6, label="label 1")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("predicted probability")
        ax.set_yscale("log")
    axes[0, 0].set_ylabel("density (log)")
    axes[0, -1].legend()
    fig.tight_layout()
    return fig


def show_mask_outputs(images, masks, outputs: Mapping[str, np.ndarray], n: int = 3):
    """Rows: ``n`` examples; columns: image, true mask, then each run's predicted probabilities as an image.

    ``images`` ``(m, H, W, 3)``, ``masks`` ``(m, H*W)`` or ``(m, H, W)``, each output ``(m, H*W)``.
    Probabilities use one colour scale from 0 to 1, so "stuck between 0.2 and 0.4" is visible.
    """
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    size = images.shape[1]
    cols = ["image", "true mask", *outputs]
    fig, axes = plt.subplots(n, len(cols), figsize=(1.7 * len(cols), 1.7 * n + 0.4), squeeze=False)
    last = None
    for r in range(n):
        panels = [None, np.asarray(masks)[r].reshape(size, size)]
        panels += [np.asarray(o)[r].reshape(size, size) for o in outputs.values()]
        for c, title in enumerate(cols):
            ax = axes[r, c]
            if c == 0:
                ax.imshow(images[r])
            else:
                last = ax.imshow(panels[c], vmin=0, vmax=1, cmap="magma")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(title, fontsize=8)
    fig.tight_layout()
    fig.colorbar(last, ax=axes.ravel().tolist(), shrink=0.8, label="probability")
    return fig
