"""Figures shared by several lessons. Each function draws and returns a matplotlib Figure.

The style (sizes, colours, grid) is set once by :func:`losslab.environment.runtime.set_plot_style`.
"""

from __future__ import annotations

import numpy as np

from losslab.data.canvases import EMPTY, CanvasSet, DigitSplit

__all__ = [
    "canvas_title",
    "plot_coupling",
    "show_canvases",
    "show_digits",
]


def canvas_title(y_multi_hot: np.ndarray, y_quadrants: np.ndarray | None = None) -> str:
    """A short caption for one canvas: its digit set, and per-quadrant labels if given.

    Args:
        y_multi_hot: shape (10,), 0/1.
        y_quadrants: shape (4,), ints 0-10 (10 = empty), or None.
    """
    digits = np.flatnonzero(np.asarray(y_multi_hot) > 0.5)
    title = "{" + ",".join(map(str, digits)) + "}"
    if y_quadrants is not None:
        marks = ["·" if q == EMPTY else str(q) for q in np.asarray(y_quadrants)]
        title += f"\n{marks[0]}{marks[1]}/{marks[2]}{marks[3]}"
    return title


def _grid(n: int, ncols: int, scale: float = 1.2):
    import matplotlib.pyplot as plt

    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(scale * ncols, scale * 1.25 * nrows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    return fig, axes.ravel()


def show_canvases(
    canvases: CanvasSet,
    n: int = 16,
    ncols: int = 8,
    predictions: np.ndarray | None = None,
    quadrants: bool = True,
):
    """Draw the first ``n`` canvases with their labels.

    Args:
        canvases: a :class:`~losslab.data.canvases.CanvasSet`.
        predictions: optional 0/1 array (n, 10); a wrong prediction is titled in red
            with the predicted set under the true one.
        quadrants: also caption the per-quadrant labels (top row / bottom row, · = empty).
    """
    n = min(n, len(canvases))
    fig, axes = _grid(n, ncols, scale=1.3)
    for i in range(n):
        ax = axes[i]
        ax.imshow(canvases.x[i, :, :, 0], vmin=0, vmax=1)
        ax.axhline(7.5, color="#bbbbbb", lw=0.6)
        ax.axvline(7.5, color="#bbbbbb", lw=0.6)
        title = canvas_title(canvases.y_multi_hot[i], canvases.y_quadrants[i] if quadrants else None)
        colour = "black"
        if predictions is not None:
            predicted = np.asarray(predictions[i])
            if not np.array_equal(predicted > 0.5, canvases.y_multi_hot[i] > 0.5):
                colour = "#c62828"
            title += "\npred " + canvas_title(predicted)
        ax.set_title(title, fontsize=8, color=colour)
    fig.tight_layout()
    return fig


def show_digits(digits: DigitSplit, n: int = 10, ncols: int = 10):
    """Draw the first ``n`` single 8x8 digit images with their labels (the multi-class view)."""
    n = min(n, len(digits))
    fig, axes = _grid(n, ncols, scale=0.9)
    for i in range(n):
        axes[i].imshow(digits.images[i], vmin=0, vmax=1)
        axes[i].set_title(str(digits.labels[i]), fontsize=9)
    fig.tight_layout()
    return fig


def plot_coupling(logits=(2.0, 1.0, 0.0, -1.0, 0.5), moved: int = 2, span: float = 6.0):
    """Softmax couples its outputs, sigmoids do not: move one logit, plot every probability.

    Args:
        logits: the starting logit vector, shape (K,).
        moved: index of the logit swept from ``-span`` to ``+span``.
    """
    import matplotlib.pyplot as plt

    from losslab.modeling.activations import softmax_sigmoid_table

    base = np.asarray(logits, dtype=np.float64)
    if not 0 <= moved < base.size:
        raise ValueError(f"moved must index a logit (0..{base.size - 1}), got {moved}")
    sweep = np.linspace(-span, span, 121)
    soft, sig = [], []
    for value in sweep:
        z = base.copy()
        z[moved] = value
        table = softmax_sigmoid_table(z)
        soft.append(table["softmax"])
        sig.append(table["sigmoid"])
    soft, sig = np.array(soft), np.array(sig)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True)
    for k in range(base.size):
        style = {"lw": 2.5} if k == moved else {"lw": 1.2, "ls": "--"}
        ax1.plot(sweep, soft[:, k], label=f"class {k}", **style)
        ax2.plot(sweep, sig[:, k], **style)
    ax1.set_title(f"softmax: the others fall as class {moved} rises")
    ax2.set_title("sigmoid: the others do not move")
    for ax in (ax1, ax2):
        ax.set_xlabel(f"logit of class {moved}")
    ax1.set_ylabel("probability")
    ax1.legend(loc="center left", fontsize=8)
    fig.tight_layout()
    return fig
