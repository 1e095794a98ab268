"""The quiz-bank audit finds answer tells, and passes a bank without them."""

import pytest

from losslab.interactive.quiz import Option, Question
from losslab.interactive.quiz_audit import MAX_LONGEST_SHARE, MAX_POSITION_SHARE, audit_bank, explains_itself


def _question(right: int, texts: list[str]) -> Question:
    return Question("q?", tuple(Option(t, i == right, "why") for i, t in enumerate(texts)))


# Every tell at once: right option first, longest, and carrying its reason.
TELLING = {
    f"lesson.q{i}": _question(0, ["the right one, because it is right", "wrong", "also wrong"])
    for i in range(6)
}

# Right options spread over positions, of ordinary length, bare claims.
FAIR = {
    f"lesson{i // 3}.q{i}": _question(i % 3, ["a claim here", "another claim", "a third claim"])
    for i in range(9)
}


def test_a_tell_laden_bank_fails_every_figure():
    figures = audit_bank(TELLING)
    assert figures.n_single == 6
    assert figures.position_share == 1.0 > MAX_POSITION_SHARE
    assert figures.longest_share == 1.0 > MAX_LONGEST_SHARE
    assert len(figures.self_explaining) == 6
    problems = figures.problems()
    assert any(p.startswith("position tell:") for p in problems)
    assert any(p.startswith("length tell:") for p in problems)
    assert any("self-explaining option: lesson.q0 [option 0]" in p for p in problems)
    assert any(p.startswith("position tell inside a lesson: lesson:") for p in problems)


def test_a_fair_bank_passes():
    figures = audit_bank(FAIR)
    assert figures.problems() == []
    assert figures.positions == {0: 3, 1: 3, 2: 3}
    assert figures.longest == ()
    assert "9 single-choice questions" in figures.summary()


def test_one_lesson_with_every_answer_in_one_place_is_found_even_when_the_bank_is_spread():
    bank = dict(FAIR)
    bank.update({f"crowded.q{i}": _question(0, ["x", "yy", "zz"]) for i in range(3)})
    bank.update({f"other.q{i}": _question(right, ["x", "yy", "zz"]) for i, right in enumerate([1, 2, 2])})
    figures = audit_bank(bank)
    assert figures.position_share <= MAX_POSITION_SHARE
    assert figures.problems() == [
        "position tell inside a lesson: crowded: position 0 holds 3 of 3 single-choice answers"
    ]


def test_a_tie_for_longest_is_no_tell_and_multiple_select_questions_are_left_out():
    tie = _question(1, ["same length", "same width!", "short"])
    multi = Question("q?", (Option("a", True, "f"), Option("b", True, "f"), Option("c", False, "f")))
    figures = audit_bank({"m.tie": tie, "m.multi": multi})
    assert figures.n_single == 1 and figures.longest == ()


@pytest.mark.parametrize(
    "text",
    [
        "No: tf.round has no gradient",
        "the value is right; the gradient is not",
        "It raises an error because the rows are not distributions",
        "About 1/3 each, so a 0.5 threshold misses all three",
        "Switch to softmax so that the rare label gets a share",
        "The loss is right — the gradient is not",
    ],
)
def test_self_explaining_options_are_recognised(text):
    assert explains_itself(text)


@pytest.mark.parametrize(
    "text",
    [
        "About 0.014",
        "log(0.01 / 0.99) ≈ -4.6",
        "Keras clips the logits to [1e-7, 1 - 1e-7].",
        "p − y",
        "1 (correct)",
    ],
)
def test_bare_claims_are_not_flagged(text):
    assert explains_itself(text) is None
