"""The course's question bank: every question is well formed and reachable by key."""

import re

import pytest

from losslab.interactive.quiz import Question, all_questions, bank_modules, get_question
from losslab.interactive.quiz_audit import audit_bank

QUESTIONS = all_questions()


def test_bank_is_found_automatically():
    assert "problem_kinds" in bank_modules()
    assert len(QUESTIONS) >= 3


@pytest.mark.parametrize("key", sorted(QUESTIONS))
def test_every_question_is_complete(key):
    question = QUESTIONS[key]
    assert isinstance(question, Question)
    assert question.prompt.strip()
    for option in question.options:
        assert option.text.strip() and option.feedback.strip(), f"{key}: every option needs feedback"
    assert question.check(list(question.correct_indices)).correct
    wrong = [i for i in range(len(question.options)) if i not in question.correct_indices]
    assert not question.check(wrong[:1]).correct
    assert get_question(key) is question


def test_seed_001_quiz_asks_for_two():
    arya = get_question("problem_kinds.arya")
    assert arya.multiple and arya.n_correct == 2
    assert [o.text.split(" is ")[0] for i, o in enumerate(arya.options) if o.correct] == [
        "Binary cross-entropy",
        "Categorical cross-entropy",
    ]


@pytest.mark.parametrize("key", ["nope", "problem_kinds.", "unknown.arya", "problem_kinds.nope"])
def test_bad_keys(key):
    with pytest.raises(KeyError):
        get_question(key)


def test_the_bank_carries_no_answer_tells():
    """Right options spread over positions, rarely the longest, and no option explains itself."""
    figures = audit_bank(QUESTIONS)
    assert figures.n_single >= 30
    assert figures.problems() == [], figures.summary()


_COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5}


@pytest.mark.parametrize("key", sorted(k for k, q in QUESTIONS.items() if q.multiple))
def test_multiple_select_prompts_do_not_contradict_the_count_shown(key):
    question = QUESTIONS[key]
    assert question.display_prompt.endswith(f"(pick {question.n_correct})")
    for word in re.findall(r"\bwhich (two|three|four|five)\b", question.prompt, re.IGNORECASE):
        assert _COUNT_WORDS[word.lower()] == question.n_correct, f"{key}: says 'which {word}'"
