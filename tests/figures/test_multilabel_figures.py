"""Tests for losslab.figures.multilabel_figures: every figure draws from realistic inputs."""

import matplotlib
import numpy as np
import pytest

from losslab.data.canvases import load_canvases
from losslab.figures.multilabel_figures import (
    plot_loss_curves,
    plot_output_histograms,
    plot_pr_curves,
    plot_threshold_sweep,
    show_mask_outputs,
    show_predictions,
)
from losslab.modeling.decoding import threshold_sweep

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def canvases():
    return load_canvases(n_train=1, n_val=1, n_test=40).test


def _probs(y, seed=0):
    return np.clip(0.7 * y + np.random.default_rng(seed).uniform(0, 0.3, y.shape), 0, 1)


def test_threshold_and_pr_figures(canvases):
    import matplotlib.pyplot as plt

    y = canvases.y_multi_hot
    fig = plot_threshold_sweep(threshold_sweep(y, _probs(y)), marks={"0.5": 0.5})
    assert len(fig.axes[0].lines) == 5
    curves = fig.axes[0].lines[
        :4
    ]  # coinciding metrics stay visible: later ones thinner, other dashes, on top
    assert len({line.get_linestyle() for line in curves}) == 4
    assert all(a.get_linewidth() > b.get_linewidth() for a, b in zip(curves, curves[1:], strict=False))
    assert all(a.get_zorder() < b.get_zorder() for a, b in zip(curves, curves[1:], strict=False))
    fig = plot_pr_curves(y, _probs(y))
    assert len(fig.axes) == 10
    with pytest.raises(ValueError, match="same 2-D shape"):
        plot_pr_curves(y, _probs(y)[:5])
    plt.close("all")


def test_prediction_and_run_figures(canvases):
    import matplotlib.pyplot as plt

    y = canvases.y_multi_hot
    fig = show_predictions(canvases, _probs(y), [0, 1, 2])
    assert len(fig.axes) == 6
    with pytest.raises(ValueError, match="at least one index"):
        show_predictions(canvases, _probs(y), [])
    assert len(plot_loss_curves({"a": [1, 0.5], "b": [1, 0.9]}, floors={"ln 2": 0.69}).axes) == 1
    assert len(plot_output_histograms({"a": _probs(y), "b": _probs(y, 1)}, y).axes) == 2
    rng = np.random.default_rng(0)
    fig = show_mask_outputs(rng.random((3, 8, 8, 3)), rng.random((3, 64)) > 0.5, {"run": rng.random((3, 64))})
    assert len(fig.axes) == 3 * 3 + 1  # panels + colour bar
    plt.close("all")
