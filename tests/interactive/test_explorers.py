"""Slider explorers: the numbers, and that moving a slider updates them."""

import numpy as np
import pytest

from losslab.interactive.explorers import (
    CSS_READOUT,
    CSS_SLIDER,
    figure_png,
    softmax_vs_sigmoid_explorer,
)


def _find(widget, css):
    found = [widget] if css in getattr(widget, "_dom_classes", ()) else []
    for child in getattr(widget, "children", ()):
        found += _find(child, css)
    return found


def test_moving_a_slider_updates_readout_and_figure():
    explorer = softmax_vs_sigmoid_explorer(logits=(1.0, 0.0, -1.0))
    sliders = _find(explorer.widget, CSS_SLIDER)
    [readout] = _find(explorer.widget, CSS_READOUT)
    image = explorer.widget.children[-1]
    before_html, before_png = readout.value, bytes(image.value)
    assert before_png.startswith(b"\x89PNG")
    sliders[0].value = 4.0
    assert readout.value != before_html and "+4.00" in readout.value
    assert bytes(image.value) != before_png


def test_display_bundle_has_static_snapshot():
    bundle = softmax_vs_sigmoid_explorer()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "<table>" in bundle["text/html"] and bundle["text/plain"].startswith("Explorer:")


def test_label_count_must_match():
    with pytest.raises(ValueError, match="2 labels for 3 logits"):
        softmax_vs_sigmoid_explorer(logits=(1.0, 2.0, 3.0), labels=["a", "b"])


def test_figure_png_closes_the_figure():
    import matplotlib.pyplot as plt

    fig, _ = plt.subplots()
    assert figure_png(fig).startswith(b"\x89PNG")
    assert not plt.fignum_exists(fig.number)


# --- loss_gradient_table / loss_gradient_explorer (lessons 02-03) -----------------


def test_loss_gradient_table_matches_tensorflow(tf):
    from losslab.interactive.explorers import loss_gradient_table

    z = np.array([2.0, -1.0, 0.5, 30.0])
    for y in ([1.0, 0, 0, 0], [1.0, 1.0, 0, 0], [0.0, 0, 0, 0], [0.2, 0.3, 0.5, 0.0]):
        y = np.array(y)
        t = loss_gradient_table(z, y)
        zt = tf.Variable(z)
        with tf.GradientTape(persistent=True) as tape:
            cce = -tf.reduce_sum(y * tf.nn.log_softmax(zt))
            bce = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=zt))
        np.testing.assert_allclose(t["cce"], cce.numpy(), rtol=1e-12)
        np.testing.assert_allclose(t["cce_grad"], tape.gradient(cce, zt).numpy(), atol=1e-12)
        np.testing.assert_allclose(t["bce_sum"], bce.numpy(), rtol=1e-12)
        np.testing.assert_allclose(t["bce_mean"], bce.numpy() / 4, rtol=1e-12)
        np.testing.assert_allclose(t["bce_grad"], tape.gradient(bce, zt).numpy(), atol=1e-12)
        same = np.allclose(t["tf_kernel_grad"], t["cce_grad"])
        assert same == np.isclose(y.sum(), 1.0)


@pytest.mark.parametrize(
    "logits, targets, message",
    [([1.0, 2.0], [1.0], "one target per logit"), ([1.0, 2.0], [1.0, -1.0], "non-negative")],
)
def test_loss_gradient_table_refuses_bad_targets(logits, targets, message):
    from losslab.interactive.explorers import loss_gradient_table

    with pytest.raises(ValueError, match=message):
        loss_gradient_table(logits, targets)


def test_loss_gradient_explorer_updates_on_slider_and_tick_box():
    import ipywidgets as widgets

    from losslab.interactive.explorers import loss_gradient_explorer

    explorer = loss_gradient_explorer(logits=(1.0, 0.0, -1.0), targets=(1, 0, 0))
    controls = _find(explorer.widget, CSS_SLIDER)
    sliders = [c for c in controls if isinstance(c, widgets.FloatSlider)]
    boxes = [c for c in controls if isinstance(c, widgets.Checkbox)]
    assert len(sliders) == len(boxes) == 3
    [readout] = _find(explorer.widget, CSS_READOUT)
    before = readout.value
    assert "CCE = " in before and "BCE mean = " in before
    sliders[2].value = 5.0
    assert readout.value != before and "+5.00" in readout.value
    boxes[1].value = True  # multi-hot: the true gradient and p - y now differ
    assert readout.value.count("<td>1</td>") == 2
    assert "<table>" in explorer._repr_mimebundle_()["text/html"]


def test_loss_gradient_explorer_wants_0_1_targets():
    from losslab.interactive.explorers import loss_gradient_explorer

    with pytest.raises(ValueError, match="0/1"):
        loss_gradient_explorer(logits=(1.0, 2.0), targets=(0.5, 0.5))
