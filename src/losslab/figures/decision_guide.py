"""The course's decision guide: problem kind -> output layer -> loss -> decoding -> metric.

:data:`ROUTES` holds the guide as data (one :class:`Route` per kind of problem),
:func:`route_for` looks one up, and :func:`plot_decision_guide` draws it as a
flow chart (one row per route, one column per decision), the figure of lesson 09.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ROUTES", "STAGES", "Route", "plot_decision_guide", "route_for"]

STAGES = ("problem kind", "output layer", "loss", "decoding", "metric")


@dataclass(frozen=True)
class Route:
    """One path through the guide.

    Attributes:
        key: short name (``"multi_label"``).
        kind: the problem kind, as the question a learner asks about the labels.
        output: the last layer (Keras).
        loss: the loss, on logits.
        decoding: how outputs become predicted labels.
        metric: what to measure and report.
        lessons: the lessons (numbers) that teach this route.
    """

    key: str
    kind: str
    output: str
    loss: str
    decoding: str
    metric: str
    lessons: tuple[int, ...]

    @property
    def steps(self) -> tuple[str, str, str, str, str]:
        """The five boxes of this route, in :data:`STAGES` order."""
        return (self.kind, self.output, self.loss, self.decoding, self.metric)


ROUTES: tuple[Route, ...] = (
    Route(
        key="binary",
        kind="binary\none yes/no answer",
        output="Dense(1)\nlogit",
        loss="BinaryCrossentropy\n(from_logits=True)",
        decoding="logit >= t\n(t = 0 is p = 0.5)",
        metric="F1, ROC AUC,\nPR AUC",
        lessons=(1, 3),
    ),
    Route(
        key="multi_class",
        kind="multi-class\nexactly one of C",
        output="Dense(C)\nlogits (softmax)",
        loss="sparse categorical CE\n(from_logits=True)",
        decoding="argmax\n(top-k for a shortlist)",
        metric="accuracy,\nmacro-F1",
        lessons=(1, 2),
    ),
    Route(
        key="multi_label",
        kind="multi-label\nany number of K",
        output="Dense(K)\nlogits (K sigmoids)",
        loss="BinaryCrossentropy\n(from_logits=True)",
        decoding="per-label thresholds\ntuned on validation",
        metric="micro/macro-F1, mAP,\nsubset acc., Hamming",
        lessons=(1, 3, 4),
    ),
    Route(
        key="multi_label_rare",
        kind="multi-label,\nrare labels",
        output="Dense(K) logits,\nbias = log(π / (1 − π))",
        loss="BCE with pos_weight,\nfocal loss or ASL",
        decoding="per-label thresholds\ntuned on validation",
        metric="macro-F1, mAP\n(never binary acc.)",
        lessons=(4, 5, 6),
    ),
    Route(
        key="multi_output",
        kind="multi-output\none of C per head",
        output="H heads of\nDense(C) logits",
        loss="sparse CCE per head,\nlosses added",
        decoding="argmax per head",
        metric="accuracy per head,\nall-heads-right rate",
        lessons=(1, 8),
    ),
)

_COLOURS = ("#e3ecf7", "#fde9d9", "#e2f0d9", "#fff2cc", "#ece2f4")


def route_for(key: str) -> Route:
    """The route named ``key`` (one of ``[r.key for r in ROUTES]``)."""
    for route in ROUTES:
        if route.key == key:
            return route
    known = ", ".join(r.key for r in ROUTES)
    raise KeyError(f"no route {key!r} in the decision guide; known routes: {known}")


def plot_decision_guide(routes: tuple[Route, ...] = ROUTES, ax=None):
    """Draw the guide as a flow chart: one row per route, arrows left to right; returns the Axes.

    The left column asks the first question ("how many labels can one example
    have?"); each row then reads output layer -> loss -> decoding -> metric, and
    ends with the lessons that teach it.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    if not routes:
        raise ValueError("routes is empty: give at least one Route to draw")
    n_rows, n_cols = len(routes), len(STAGES)
    if ax is None:
        _, ax = plt.subplots(figsize=(13.0, 1.25 * n_rows + 1.1))
    box_w, box_h, gap = 2.15, 0.9, 0.55
    step = box_w + gap
    for col, stage in enumerate(STAGES):
        ax.text(
            col * step + box_w / 2,
            0.25,
            stage,
            ha="center",
            va="bottom",
            fontsize=11,
            fontweight="bold",
        )
    for row, route in enumerate(routes):
        y = -(row + 1) * 1.25
        for col, text in enumerate(route.steps):
            x = col * step
            ax.add_patch(
                FancyBboxPatch(
                    (x, y),
                    box_w,
                    box_h,
                    boxstyle="round,pad=0.02,rounding_size=0.12",
                    facecolor=_COLOURS[col],
                    edgecolor="#555555",
                    linewidth=1.0,
                )
            )
            ax.text(x + box_w / 2, y + box_h / 2, text, ha="center", va="center", fontsize=8.5)
            if col < n_cols - 1:
                ax.annotate(
                    "",
                    xy=(x + step - 0.04, y + box_h / 2),
                    xytext=(x + box_w + 0.04, y + box_h / 2),
                    arrowprops={"arrowstyle": "->", "color": "#333333", "lw": 1.2},
                )
        lessons = ", ".join(f"{n:02d}" for n in route.lessons)
        ax.text(n_cols * step - gap + 0.15, y + box_h / 2, f"lessons\n{lessons}", va="center", fontsize=8)
    ax.set_xlim(-0.1, n_cols * step + 0.6)
    ax.set_ylim(-(n_rows + 0.1) * 1.25, 0.75)
    ax.set_axis_off()
    ax.set_title("How many labels can one example have?  Follow the row that matches.", fontsize=12)
    return ax
