"""Quizzes: pure-Python marking, the widget's feedback, and the static fallback."""

import pytest

from losslab.interactive.quiz import (
    CSS_CHECK,
    CSS_FEEDBACK,
    CSS_OPTION,
    Option,
    Question,
    ask,
    quiz_widget,
    static_html,
)

SINGLE = Question(
    "Which output layer for multi-label?",
    (
        Option("softmax", False, "outputs compete"),
        Option("sigmoid", True, "each label on its own"),
        Option("linear", False, "not probabilities"),
    ),
    explanation="One sigmoid per label.",
)
MULTI = Question(
    "Which two are correct?",
    (Option("A", True, "fa"), Option("B", False, "fb"), Option("C", True, "fc"), Option("D", False, "fd")),
)


def test_kind_is_derived_from_the_number_of_correct_options():
    assert SINGLE.multiple is False and SINGLE.n_correct == 1
    assert MULTI.multiple is True and MULTI.correct_indices == (0, 2)
    assert "Select 2 options" in MULTI.instruction


def test_single_select_marking_and_per_option_feedback():
    right = SINGLE.check(1)
    assert right.correct and "each label on its own" in right.text and "One sigmoid per label." in right.text
    wrong = SINGLE.check(0)
    assert not wrong.correct and "outputs compete" in wrong.text and "try again" in wrong.text
    assert "only one" in SINGLE.check([0, 1]).text


def test_multiple_select_counts_hits_and_misses():
    assert MULTI.check([0, 2]).correct
    partial = MULTI.check([0, 1])
    assert not partial.correct
    assert "1 of the 2 correct options and picked 1 wrong one(s)" in partial.text
    assert "fa" in partial.text and "fb" in partial.text
    assert not MULTI.check([0]).correct
    assert not MULTI.check([0, 1, 2]).correct


def test_bad_selections():
    assert SINGLE.check([]).text == "Select an option first."
    with pytest.raises(ValueError, match="0..2"):
        SINGLE.check(5)


@pytest.mark.parametrize(
    "options, message",
    [
        ((Option("a", True, "x"),), "at least two"),
        ((Option("a", False, "x"), Option("b", False, "y")), "at least one correct"),
    ],
)
def test_malformed_questions_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        Question("q", options)


def test_single_select_with_two_correct_is_refused():
    with pytest.raises(ValueError, match="exactly one correct"):
        Question("q", (Option("a", True, "x"), Option("b", True, "y")), multiple=False)


def test_static_fallback_hides_the_answer_in_details():
    page = static_html(MULTI)
    assert page.index("<details>") < page.index("fa")
    assert all(o.text in page for o in MULTI.options)
    assert "&lt;b&gt;" in static_html(Question("<b>?", (Option("x", True, "y"), Option("z", False, "w"))))


def _find(widget, css):
    found = [widget] if css in getattr(widget, "_dom_classes", ()) else []
    for child in getattr(widget, "children", ()):
        found += _find(child, css)
    return found


def test_widget_gives_feedback_wrong_then_right():
    box = quiz_widget(MULTI)
    checkboxes = _find(box, CSS_OPTION)
    [button] = _find(box, CSS_CHECK)
    [feedback] = _find(box, CSS_FEEDBACK)
    checkboxes[1].value = True
    button.click()
    assert "Not yet" in feedback.value and "fb" in feedback.value
    checkboxes[1].value = False
    checkboxes[0].value = checkboxes[2].value = True
    button.click()
    assert "Correct!" in feedback.value


def test_radio_widget_for_single_select():
    box = quiz_widget(SINGLE)
    [radio] = _find(box, CSS_OPTION)
    [button] = _find(box, CSS_CHECK)
    [feedback] = _find(box, CSS_FEEDBACK)
    button.click()
    assert "Select an option first." in feedback.value
    radio.index = 1
    button.click()
    assert "Correct!" in feedback.value


def test_ask_displays_widget_with_html_fallback():
    bundle = ask(SINGLE)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"] == static_html(SINGLE)
    assert bundle["text/plain"] == "Quiz: Which output layer for multi-label?"


def test_ask_by_key_and_errors():
    assert ask("problem_kinds.arya").question.n_correct == 2
    with pytest.raises(TypeError, match="Question or a quiz-bank key"):
        ask(42)


def test_multiple_select_says_how_many_to_pick_in_widget_and_static_page():
    assert MULTI.display_prompt == "Which two are correct? (pick 2)"
    assert SINGLE.display_prompt == SINGLE.prompt
    assert "(pick 2)" in static_html(MULTI) and "(pick" not in static_html(SINGLE)
    [header] = [w for w in quiz_widget(MULTI).children if "Think!" in getattr(w, "value", "")]
    assert "(pick 2)" in header.value
    three = Question("Which?", tuple(Option(t, t != "d", "f") for t in "abcd"))
    assert "(pick 3)" in static_html(three)
    assert ask(MULTI)._repr_mimebundle_()["text/plain"].endswith("(pick 2)")
