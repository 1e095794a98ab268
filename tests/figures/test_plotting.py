"""Figures shared by the lessons."""

import numpy as np
import pytest

from losslab.data.canvases import load_canvases, load_digits_split
from losslab.figures.plotting import canvas_title, plot_coupling, show_canvases, show_digits


@pytest.fixture(scope="module")
def canvases():
    return load_canvases(n_train=20, n_val=1, n_test=1).train


def test_canvas_title():
    y = np.zeros(10)
    y[[3, 7]] = 1
    assert canvas_title(y) == "{3,7}"
    assert canvas_title(y, np.array([3, 10, 7, 10])) == "{3,7}\n3·/7·"


def test_show_canvases_titles_and_marks_wrong_predictions(canvases):
    predictions = canvases.y_multi_hot[:4].copy()
    predictions[1] = 1 - predictions[1]
    fig = show_canvases(canvases, n=4, ncols=2, predictions=predictions)
    axes = fig.axes
    assert len(axes) == 4
    assert axes[0].get_title().startswith(canvas_title(canvases.y_multi_hot[0]))
    assert "pred" in axes[1].get_title()
    assert axes[1].title.get_color() != axes[0].title.get_color()


def test_show_digits():
    fig = show_digits(load_digits_split("val"), n=5)
    assert [ax.get_title() for ax in fig.axes if ax.images] != []


def test_plot_coupling_shows_softmax_falling_and_sigmoid_flat():
    fig = plot_coupling(logits=(1.0, 0.0, -1.0), moved=0)
    soft_axis, sig_axis = fig.axes
    other_soft = soft_axis.lines[1].get_ydata()
    other_sig = sig_axis.lines[1].get_ydata()
    assert other_soft[0] > other_soft[-1] + 0.3  # falls as class 0 rises
    assert np.ptp(other_sig) == 0  # does not move at all


def test_errors():
    with pytest.raises(ValueError, match="moved must index"):
        plot_coupling(logits=(1.0, 2.0), moved=2)
    with pytest.raises(ValueError, match="n must be at least 1"):
        show_digits(load_digits_split("val"), n=0)
