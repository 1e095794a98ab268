"""Slider explorers (ipywidgets): move a logit, watch probabilities, losses and gradients respond.

Each explorer returns an ``ipywidgets.VBox``; its readout is an HTML table
(class ``losslab-explorer-readout``) that tests, and learners, can read.
The numbers come from pure functions (e.g. :func:`softmax_sigmoid_table`)
so they are tested without a browser.
"""

from __future__ import annotations

import html

import numpy as np

__all__ = [
    "CSS_READOUT",
    "Explorer",
    "figure_png",
    "CSS_SLIDER",
    "softmax_sigmoid_table",
    "softmax_vs_sigmoid_explorer",
]

CSS_SLIDER = "losslab-explorer-slider"
CSS_READOUT = "losslab-explorer-readout"


class Explorer:
    """Shows as its widget in JupyterLab and as a static HTML snapshot where widgets cannot run.

    Attributes:
        widget: the ``ipywidgets`` container (sliders, readout, figure).
        title: one line saying what the explorer shows.
        snapshot_html: the readout at the starting values (an HTML rendering of the notebook shows it).
    """

    def __init__(self, widget, title: str, snapshot_html: str):
        self.widget = widget
        self.title = title
        self.snapshot_html = snapshot_html

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        bundle["text/html"] = (
            f"<p><b>Explorer:</b> {html.escape(self.title)} "
            f"<i>(interactive in JupyterLab; starting values shown)</i></p>{self.snapshot_html}"
        )
        bundle["text/plain"] = f"Explorer: {self.title}"
        return bundle


def figure_png(fig) -> bytes:
    """Render a matplotlib figure to PNG bytes and close it.

    Explorers show figures in an ``ipywidgets.Image`` rather than an ``Output``
    widget: no display messages are sent, so the figure updates in place in
    JupyterLab and never leaks into the cell's own outputs.
    """
    import io

    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def softmax_sigmoid_table(logits) -> dict[str, np.ndarray]:
    """Softmax and element-wise sigmoid of a logit vector.

    Args:
        logits: array-like, shape (K,), finite floats.

    Returns:
        ``{"softmax": (K,) float64, "sigmoid": (K,) float64}``; softmax sums to 1,
        each sigmoid entry depends on its own logit only.
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 1 or z.size < 2:
        raise ValueError(f"logits must be a 1-D vector of at least 2 numbers, got shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError("logits must be finite numbers (no NaN or inf)")
    e = np.exp(z - z.max())  # stable softmax: subtracting the max changes nothing but overflow
    # 1/(1+e^-z) written with tanh, which never overflows for large |z|
    return {"softmax": e / e.sum(), "sigmoid": 0.5 * (1.0 + np.tanh(0.5 * z))}


def _readout_html(logits, labels) -> str:
    table = softmax_sigmoid_table(logits)
    rows = "".join(
        f"<tr><td>{html.escape(label)}</td><td>{z:+.2f}</td><td>{s:.3f}</td><td>{g:.3f}</td></tr>"
        for label, z, s, g in zip(labels, logits, table["softmax"], table["sigmoid"], strict=True)
    )
    total = (
        f"<tr><th>sum</th><td></td><th>{table['softmax'].sum():.3f}</th>"
        f"<th>{table['sigmoid'].sum():.3f}</th></tr>"
    )
    return (
        f"<table><tr><th>class</th><th>logit</th><th>softmax</th><th>sigmoid</th></tr>{rows}{total}</table>"
    )


def softmax_vs_sigmoid_explorer(logits=(2.0, 1.0, 0.0, -1.0, 0.5), labels=None) -> Explorer:
    """Sliders for each logit; bars and a table of softmax vs sigmoid probabilities.

    Moving one logit up pushes every *other* softmax probability down (they share
    one denominator), while the other sigmoid probabilities do not move.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    start = np.asarray(logits, dtype=np.float64)
    labels = list(labels) if labels is not None else [f"class {i}" for i in range(len(start))]
    if len(labels) != len(start):
        raise ValueError(f"got {len(labels)} labels for {len(start)} logits")
    softmax_sigmoid_table(start)  # validates the logits

    sliders = [
        widgets.FloatSlider(
            value=float(z), min=-6.0, max=6.0, step=0.1, description=label, continuous_update=False
        )
        for z, label in zip(start, labels, strict=True)
    ]
    for slider in sliders:
        slider.add_class(CSS_SLIDER)
    readout = widgets.HTML()
    readout.add_class(CSS_READOUT)
    image = widgets.Image(format="png")

    def redraw(_change=None) -> None:
        z = np.array([s.value for s in sliders])
        readout.value = _readout_html(z, labels)
        table = softmax_sigmoid_table(z)
        fig, ax = plt.subplots(figsize=(6, 2.6))
        x = np.arange(len(z))
        ax.bar(x - 0.2, table["softmax"], width=0.4, label="softmax (sums to 1)")
        ax.bar(x + 0.2, table["sigmoid"], width=0.4, label="sigmoid (each on its own)")
        ax.set_xticks(x, labels)
        ax.set_ylim(0, 1)
        ax.set_ylabel("probability")
        ax.legend(loc="upper right")
        image.value = figure_png(fig)

    for slider in sliders:
        slider.observe(redraw, names="value")
    redraw()
    return Explorer(
        widgets.VBox([widgets.HBox([widgets.VBox(sliders), readout]), image]),
        "move a logit; softmax probabilities all respond, sigmoid probabilities do not",
        _readout_html(start, labels),
    )
