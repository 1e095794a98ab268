"""Figures for comparing losses (lessons 06-08). Each function draws and returns a matplotlib Figure.

* :func:`plot_curves` - several named curves over one x axis (loss vs logit, loss vs epoch, ...);
* :func:`plot_grouped_bars` - several named series of bars over shared groups (metrics per method,
  recall per label, base rates).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["plot_curves", "plot_grouped_bars"]

# Curves that coincide must all stay visible: the first is drawn widest and underneath, each later
# one thinner, with its own dash pattern, on top.
_LINESTYLES = ("-", (0, (5, 2)), (0, (5, 2, 1, 2)), (0, (1, 1.5)))


def plot_curves(
    x,
    curves: Mapping[str, Sequence[float]],
    xlabel: str,
    ylabel: str,
    title: str = "",
    logx: bool = False,
    logy: bool = False,
    vlines: Mapping[str, float] | None = None,
    ax=None,
    spans: Mapping[str, tuple[float, float]] | None = None,
):
    """Draw each curve of ``curves`` (``{name: values}``, each as long as ``x``) against ``x``.

    Each curve gets its own dash pattern and width (the first widest, drawn underneath), so
    curves that coincide over a range all stay visible.

    ``vlines`` adds labelled dashed vertical lines (e.g. ``{"epsilon": 1e-7}``), drawn above
    the curves so that a curve with a vertical jump at the same place cannot hide them.
    ``spans`` shades labelled ranges of x (e.g. ``{"q < epsilon": (1e-9, 1e-7)}``) behind the
    curves. Pass ``ax`` to draw into an existing axis (the figure of that axis is returned).
    """
    import matplotlib.pyplot as plt

    x = np.asarray(x, dtype=np.float64)
    if not curves:
        raise ValueError("curves is empty: give at least one {name: values}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.6, 3.2))
    else:
        fig = ax.figure
    for i, (name, values) in enumerate(curves.items()):
        values = np.asarray(values, dtype=np.float64)
        if values.shape != x.shape:
            raise ValueError(f"curve {name!r} has {values.shape} values for {x.shape} x values")
        ax.plot(
            x,
            values,
            label=name,
            marker="." if len(x) <= 20 else None,
            ls=_LINESTYLES[i % len(_LINESTYLES)],
            lw=max(1.3, 4.0 - 0.9 * i),
            alpha=0.6 if i == 0 and len(curves) > 1 else 1.0,
            zorder=2 + i,
        )
    for name, (lo, hi) in (spans or {}).items():
        ax.axvspan(lo, hi, color="0.85", zorder=0, label=name)
    for i, (name, value) in enumerate((vlines or {}).items()):
        ax.axvline(value, color="k", ls=("--", ":", "-.")[i % 3], lw=1.2, zorder=10, label=name)
    ax.set_xscale("log" if logx else "linear")
    ax.set_yscale("log" if logy else "linear")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_grouped_bars(
    groups: Sequence[str],
    series: Mapping[str, Sequence[float]],
    ylabel: str,
    title: str = "",
    logy: bool = False,
    figsize: tuple[float, float] = (6.4, 3.2),
):
    """Bars for each group (x axis), one colour per series (``{name: one value per group}``)."""
    import matplotlib.pyplot as plt

    groups = [str(g) for g in groups]
    if not series:
        raise ValueError("series is empty: give at least one {name: values}")
    fig, ax = plt.subplots(figsize=figsize)
    width = 0.8 / len(series)
    for i, (name, values) in enumerate(series.items()):
        values = np.asarray(values, dtype=np.float64)
        if values.shape != (len(groups),):
            raise ValueError(f"series {name!r} has {values.size} values for {len(groups)} groups")
        ax.bar(np.arange(len(groups)) + (i - (len(series) - 1) / 2) * width, values, width, label=name)
    ax.set_xticks(np.arange(len(groups)), groups)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if len(series) > 1:
        ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.grid(axis="x", visible=False)
    fig.tight_layout()
    return fig
