"""Tests for losslab.figures.decision_guide: the guide's content and its figure."""

import matplotlib
import pytest

from losslab.figures.decision_guide import ROUTES, STAGES, plot_decision_guide, route_for

matplotlib.use("Agg")


def test_every_route_has_one_step_per_stage_and_unique_keys():
    assert len({r.key for r in ROUTES}) == len(ROUTES)
    for route in ROUTES:
        assert len(route.steps) == len(STAGES)
        assert all(step.strip() for step in route.steps)
        assert all(1 <= n <= 9 for n in route.lessons)


def test_the_guide_says_what_the_course_teaches():
    multi_label = route_for("multi_label")
    assert "BinaryCrossentropy" in multi_label.loss and "from_logits=True" in multi_label.loss
    assert "threshold" in multi_label.decoding
    multi_class = route_for("multi_class")
    assert "categorical" in multi_class.loss and "argmax" in multi_class.decoding
    assert "binary acc" in route_for("multi_label_rare").metric  # named as what NOT to use
    assert "per head" in route_for("multi_output").decoding
    for route in ROUTES:  # every last layer outputs logits; the loss applies the activation
        assert "logit" in route.output


def test_unknown_route_names_the_known_ones():
    with pytest.raises(KeyError, match="multi_label"):
        route_for("multilabel")


def test_figure_has_a_box_and_a_text_per_step():
    ax = plot_decision_guide()
    n_boxes = len(ROUTES) * len(STAGES)
    assert len(ax.patches) == n_boxes
    texts = [t.get_text() for t in ax.texts]
    for route in ROUTES:
        for step in route.steps:
            assert step in texts
    assert all(stage in texts for stage in STAGES)
    with pytest.raises(ValueError, match="routes is empty"):
        plot_decision_guide(routes=())
    matplotlib.pyplot.close("all")
