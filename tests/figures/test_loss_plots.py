"""loss_plots: the float32 curves show exactly where naive formulas break."""

import numpy as np
import pytest

from losslab.figures.loss_plots import (
    bce_curves,
    cce_curves,
    plot_bce_curves,
    plot_cce_curves,
    plot_loss_histories,
)


def test_bce_curves_naive_breaks_stable_does_not(tf):
    x = np.array([-120.0, -20.0, 0.0, 20.0, 40.0], dtype=np.float32)
    c = bce_curves(x, 1.0)
    assert np.isinf(c["naive"]["loss"][0])  # log(sigmoid(-120)) = log(0)
    assert np.isnan(c["naive"]["loss"][-1])  # 0 * log(1 - 1) = 0 * -inf
    np.testing.assert_allclose(c["stable"]["loss"], tf.nn.softplus(-x).numpy(), rtol=1e-6)
    np.testing.assert_allclose(c["stable"]["grad"], tf.sigmoid(x).numpy() - 1.0, atol=1e-6)
    assert c["clipped"]["loss"].max() == pytest.approx(16.118, abs=1e-3)  # -log(1e-7), float32
    assert c["clipped"]["grad"][0] == 0.0  # clipping kills the gradient
    assert all(np.all(np.isfinite(v)) for v in c["stable"].values())


def test_bce_curves_label_zero_and_refusals(tf):
    c = bce_curves(np.array([17.0, 0.0], dtype=np.float32), 0.0)
    assert np.isinf(c["naive"]["loss"][0])
    assert c["clipped"]["loss"][0] == pytest.approx(15.942, abs=1e-3)
    with pytest.raises(ValueError, match="label"):
        bce_curves([0.0], 2.0)
    with pytest.raises(ValueError, match="finite"):
        bce_curves([np.nan], 1.0)
    with pytest.raises(ValueError, match="1-D"):
        bce_curves([[0.0]], 1.0)


def test_cce_curves(tf):
    t = np.array([0.0, 60.0, 200.0], dtype=np.float32)
    c = cce_curves(t, others=(0.0, 0.0), target=1)
    np.testing.assert_allclose(c["stable"]["loss"][0], np.log(3.0), rtol=1e-6)
    np.testing.assert_allclose(c["stable"]["loss"][2], 200.0, rtol=1e-6)
    assert c["naive"]["grad"][1] == 0.0  # the loss is finite at 60 but exp(t)^2 overflowed: gradient lost
    assert np.isclose(c["stable"]["grad"][1], 1.0)
    assert not np.isfinite(c["naive"]["loss"][2])
    with pytest.raises(ValueError, match="class index"):
        cce_curves(t, others=(0.0,), target=2)


def test_plots_return_figures(tf):
    for fig in (plot_bce_curves(1.0), plot_bce_curves(0.0, clipped=False), plot_cce_curves()):
        assert len(fig.axes) == 2
    fig = plot_loss_histories({"a": [3.0, 2.0], "b": [3.0, 100.0]}, title="t")
    assert fig.axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match="empty"):
        plot_loss_histories({})


def _style(line):
    return (line.get_linestyle(), round(line.get_linewidth(), 2), line.get_zorder())


def test_coinciding_curves_stay_visible(tf):
    """Naive, clipped and stable coincide over a range: each has its own dash, width and layer,
    and the thinnest is drawn on top."""
    fig = plot_bce_curves(1.0)
    for ax in fig.axes:
        lines = [ln for ln in ax.lines if ln.get_label() in ("naive", "clipped", "stable")]
        assert len(lines) == 3
        assert len({_style(ln) for ln in lines}) == 3
        assert max(lines, key=lambda ln: ln.get_zorder()).get_label() == "naive"
        assert min(lines, key=lambda ln: ln.get_linewidth()).get_label() == "naive"
