"""Slider explorers (ipywidgets): move a logit, watch probabilities, losses and gradients respond.

Each explorer returns an ``ipywidgets.VBox``; its readout is an HTML table
(class ``losslab-explorer-readout``) that tests, and learners, can read.
The numbers come from pure functions (e.g. :func:`softmax_sigmoid_table`)
so they are tested without a browser.
"""

from __future__ import annotations

import html

import numpy as np

from losslab.modeling.activations import softmax_sigmoid_table

__all__ = [
    "CSS_READOUT",
    "Explorer",
    "figure_png",
    "CSS_SLIDER",
    "loss_gradient_explorer",
    "loss_gradient_table",
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


# --- losses and gradients (lessons 02-03) ------------------------------------------


def loss_gradient_table(logits, targets) -> dict[str, np.ndarray | float]:
    """Both losses and their gradients for one example (float64, overflow-free).

    Args:
        logits: array-like (K,), finite floats.
        targets: array-like (K,), non-negative (one-hot, multi-hot or soft).

    Returns:
        ``softmax``, ``sigmoid``: (K,) probabilities;
        ``cce``: -sum(y log softmax) (a float); ``cce_grad``: (K,) the true gradient
        sum(y) * softmax - y; ``tf_kernel_grad``: (K,) softmax - y, what TensorFlow's fused
        softmax_cross_entropy_with_logits kernel returns (equal to ``cce_grad`` iff sum(y) = 1);
        ``bce``: (K,) per-label BCE on logits; ``bce_mean``, ``bce_sum`` (floats);
        ``bce_grad``: (K,) sigmoid - y (gradient of the *sum*; the mean's is 1/K of it).
    """
    probs = softmax_sigmoid_table(logits)
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(targets, dtype=np.float64)
    if y.shape != z.shape:
        raise ValueError(f"targets has shape {y.shape}, logits {z.shape}: give one target per logit")
    if not np.all(np.isfinite(y)) or np.any(y < 0):
        raise ValueError("targets must be finite and non-negative (0/1 labels or soft weights)")
    log_softmax = z - z.max() - np.log(np.sum(np.exp(z - z.max())))
    bce = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    p, s = probs["softmax"], probs["sigmoid"]
    return {
        "softmax": p,
        "sigmoid": s,
        "cce": float(-np.sum(y * log_softmax)),
        "cce_grad": y.sum() * p - y,
        "tf_kernel_grad": p - y,
        "bce": bce,
        "bce_mean": float(bce.mean()),
        "bce_sum": float(bce.sum()),
        "bce_grad": s - y,
    }


def _loss_readout_html(logits, targets, labels) -> str:
    t = loss_gradient_table(logits, targets)
    head = (
        "<tr><th>class</th><th>y</th><th>logit</th><th>softmax</th><th>CCE grad</th>"
        "<th>p &minus; y</th><th>sigmoid</th><th>BCE</th><th>BCE grad</th></tr>"
    )
    rows = "".join(
        f"<tr><td>{html.escape(label)}</td><td>{y:g}</td><td>{z:+.2f}</td><td>{p:.3f}</td>"
        f"<td>{g:+.3f}</td><td>{k:+.3f}</td><td>{s:.3f}</td><td>{b:.3f}</td><td>{bg:+.3f}</td></tr>"
        for label, y, z, p, g, k, s, b, bg in zip(
            labels,
            np.asarray(targets, dtype=float),
            np.asarray(logits, dtype=float),
            t["softmax"],
            t["cce_grad"],
            t["tf_kernel_grad"],
            t["sigmoid"],
            t["bce"],
            t["bce_grad"],
            strict=True,
        )
    )
    foot = (
        f"<tr><th colspan='3'>loss</th><th colspan='3'>CCE = {t['cce']:.3f}</th>"
        f"<th colspan='3'>BCE mean = {t['bce_mean']:.3f}, sum = {t['bce_sum']:.3f}</th></tr>"
    )
    return f"<table>{head}{rows}{foot}</table>"


def loss_gradient_explorer(logits=(2.0, 1.0, -1.0, 0.5), targets=(1, 0, 0, 0), labels=None) -> Explorer:
    """Sliders for the logits, tick boxes for the targets; both losses and their gradients.

    Shows softmax + categorical cross-entropy next to sigmoid + binary
    cross-entropy for one example: probabilities, losses, and the gradient each
    loss sends to every logit. Tick two targets to see the true CCE gradient
    (sum(y) p - y) part from TensorFlow's fused-kernel p - y.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    start = np.asarray(logits, dtype=np.float64)
    start_y = np.asarray(targets, dtype=np.float64)
    labels = list(labels) if labels is not None else [f"class {i}" for i in range(len(start))]
    if len(labels) != len(start):
        raise ValueError(f"got {len(labels)} labels for {len(start)} logits")
    if not np.all((start_y == 0) | (start_y == 1)):
        raise ValueError("targets for the explorer are 0/1 (one tick box per class)")
    loss_gradient_table(start, start_y)  # validates both

    sliders = [
        widgets.FloatSlider(
            value=float(z), min=-8.0, max=8.0, step=0.1, description=label, continuous_update=False
        )
        for z, label in zip(start, labels, strict=True)
    ]
    boxes = [
        widgets.Checkbox(
            value=bool(y), description="target", indent=False, layout=widgets.Layout(width="80px")
        )
        for y in start_y
    ]
    for control in (*sliders, *boxes):
        control.add_class(CSS_SLIDER)
    readout = widgets.HTML()
    readout.add_class(CSS_READOUT)
    image = widgets.Image(format="png")

    def redraw(_change=None) -> None:
        z = np.array([s.value for s in sliders])
        y = np.array([float(b.value) for b in boxes])
        readout.value = _loss_readout_html(z, y, labels)
        t = loss_gradient_table(z, y)
        fig, (ax_p, ax_g) = plt.subplots(1, 2, figsize=(9, 2.6))
        x = np.arange(len(z))
        ax_p.bar(x - 0.2, t["softmax"], width=0.4, label="softmax")
        ax_p.bar(x + 0.2, t["sigmoid"], width=0.4, label="sigmoid")
        ax_p.scatter(x, y, marker="_", s=300, color="black", label="target", zorder=3)
        ax_p.set_ylim(0, 1.05)
        ax_p.set_ylabel("probability")
        ax_g.bar(x - 0.2, t["cce_grad"], width=0.4, label="CCE grad")
        ax_g.bar(x + 0.2, t["bce_grad"], width=0.4, label="BCE grad")
        ax_g.axhline(0, color="black", lw=0.8)
        ax_g.set_ylim(-2.05, 1.05)
        ax_g.set_ylabel("d loss / d logit")
        for ax in (ax_p, ax_g):
            ax.set_xticks(x, labels)
            ax.legend(loc="lower left", fontsize=8)
        image.value = figure_png(fig)

    for control in (*sliders, *boxes):
        control.observe(redraw, names="value")
    redraw()
    rows = [widgets.HBox([slider, box]) for slider, box in zip(sliders, boxes, strict=True)]
    return Explorer(
        widgets.VBox([widgets.HBox([widgets.VBox(rows), readout]), image]),
        "move logits and tick targets; softmax+CCE vs sigmoid+BCE: probabilities, losses, gradients",
        _loss_readout_html(start, start_y, labels),
    )
