"""Figures for loss comparisons: they draw what they are given and refuse mismatched input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from losslab.figures.loss_figures import plot_curves, plot_grouped_bars  # noqa: E402


def test_plot_curves_draws_each_curve_and_vline():
    fig = plot_curves(
        [1, 2, 3], {"a": [1, 2, 3], "b": [3, 2, 1]}, "x", "y", "t", logx=True, vlines={"eps": 1.5}
    )
    ax = fig.axes[0]
    assert len(ax.lines) == 3 and ax.get_xscale() == "log" and ax.get_title() == "t"
    plt.close(fig)


def test_plot_grouped_bars_one_bar_per_group_and_series():
    fig = plot_grouped_bars(["g1", "g2"], {"s1": [1, 2], "s2": [3, 4]}, "value", logy=True)
    assert len(fig.axes[0].patches) == 4 and fig.axes[0].get_yscale() == "log"
    plt.close(fig)


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="curve 'a'"):
        plot_curves([1, 2], {"a": [1, 2, 3]}, "x", "y")
    with pytest.raises(ValueError, match="series 's'"):
        plot_grouped_bars(["g"], {"s": np.ones(2)}, "y")
    with pytest.raises(ValueError, match="empty"):
        plot_curves([1], {}, "x", "y")


def test_vlines_sit_above_the_curves_and_spans_behind():
    fig = plot_curves(
        [1e-9, 1e-7, 1.0],
        {"jump": [0.0, 10.0, 1.0]},
        "x",
        "y",
        logx=True,
        vlines={"eps": 1e-7},
        spans={"below eps": (1e-9, 1e-7)},
    )
    ax = fig.axes[0]
    curve, vline = ax.lines
    assert vline.get_zorder() > curve.get_zorder()  # a vertical jump of a curve cannot hide the line
    assert len(ax.patches) == 1 and ax.patches[0].get_zorder() < curve.get_zorder()
    assert "below eps" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(fig)


def test_plot_curves_identical_curves_stay_visible():
    """BCE and ASL coincide for positives: each curve gets its own dash and width, later ones on top."""
    fig = plot_curves([0, 1, 2], {"a": [1, 2, 3], "b": [1, 2, 3], "c": [1, 2, 3]}, "x", "y")
    lines = fig.axes[0].lines
    assert len({(str(ln.get_linestyle()), ln.get_linewidth()) for ln in lines}) == 3
    assert [ln.get_zorder() for ln in lines] == sorted(ln.get_zorder() for ln in lines)
    assert lines[0].get_linewidth() > lines[-1].get_linewidth()
    plt.close(fig)
