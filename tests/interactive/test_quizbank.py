"""The course's question bank: every question is well formed and reachable by key."""

import pytest

from losslab.interactive.quiz import Question, all_questions, bank_modules, get_question

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
