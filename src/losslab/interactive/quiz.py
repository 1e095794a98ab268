"""Quizzes as data: check answers in pure Python, render them as ipywidgets.

A :class:`Question` holds a prompt, its options, which options are correct and
feedback for every option. ``question.check(selected)`` marks an answer
without any widget (tests use it); :func:`ask` shows the question as an
interactive widget with instant feedback in JupyterLab, and attaches a static
fallback (the answer folded in a ``<details>`` block) that an HTML rendering
of the notebook shows instead.

Questions of the course live in :mod:`losslab.interactive.quizbank`, so a lesson cell reads
``ask("problem_kinds.arya")`` and the answer is not visible in the notebook source.
"""

from __future__ import annotations

import html
import importlib
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "QUIZBANK",
    "Answer",
    "Option",
    "Question",
    "all_questions",
    "ask",
    "bank_modules",
    "get_question",
    "quiz_widget",
    "static_html",
]

# CSS classes on the widgets, so browser tests (and learners' custom CSS) can find them.
CSS_OPTION = "losslab-quiz-option"
CSS_CHECK = "losslab-quiz-check"
CSS_FEEDBACK = "losslab-quiz-feedback"


@dataclass(frozen=True)
class Option:
    """One answer option: its text, whether it is correct, and what to tell a learner who picks it."""

    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Answer:
    """The marking of one answer.

    Attributes:
        correct: True iff exactly the correct options were selected.
        messages: feedback lines: one per selected option, then a summary line.
    """

    correct: bool
    messages: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.messages)


@dataclass(frozen=True)
class Question:
    """A single- or multiple-select question.

    ``multiple`` defaults to True when more than one option is correct. A
    multiple-select question tells the learner how many options to pick:
    :attr:`display_prompt` adds "(pick N)", counted from the options, to the
    prompt in the widget and in the static page alike, so the count cannot drift
    from the answer.
    """

    prompt: str
    options: tuple[Option, ...]
    explanation: str = ""
    multiple: bool | None = None
    n_correct: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", tuple(self.options))
        if len(self.options) < 2:
            raise ValueError(f"a question needs at least two options: {self.prompt!r}")
        n_correct = sum(o.correct for o in self.options)
        if n_correct == 0:
            raise ValueError(f"a question needs at least one correct option: {self.prompt!r}")
        multiple = n_correct > 1 if self.multiple is None else self.multiple
        if not multiple and n_correct != 1:
            raise ValueError(f"a single-select question needs exactly one correct option: {self.prompt!r}")
        object.__setattr__(self, "multiple", multiple)
        object.__setattr__(self, "n_correct", n_correct)

    @property
    def correct_indices(self) -> tuple[int, ...]:
        return tuple(i for i, o in enumerate(self.options) if o.correct)

    def check(self, selected: int | Iterable[int]) -> Answer:
        """Mark an answer given as an option index or a collection of indices (0-based)."""
        chosen = sorted({selected} if isinstance(selected, int) else set(selected))
        bad = [i for i in chosen if not 0 <= i < len(self.options)]
        if bad:
            raise ValueError(
                f"option indices must be 0..{len(self.options) - 1}, got {bad} "
                f"(options are numbered from 0 in the order shown)"
            )
        if not chosen:
            return Answer(False, ("Select an option first.",))
        if not self.multiple and len(chosen) > 1:
            return Answer(False, ("Select only one option.",))
        messages = [
            f"{'✔' if self.options[i].correct else '✘'} {self.options[i].text} — {self.options[i].feedback}"
            for i in chosen
        ]
        hits = sum(self.options[i].correct for i in chosen)
        correct = tuple(chosen) == self.correct_indices
        if correct:
            messages.append("Correct! " + self.explanation if self.explanation else "Correct!")
        elif self.multiple:
            messages.append(
                f"Not yet: you found {hits} of the {self.n_correct} correct options"
                + (f" and picked {len(chosen) - hits} wrong one(s)." if len(chosen) > hits else ".")
            )
        else:
            messages.append("Not yet: read the feedback above and try again.")
        return Answer(correct, tuple(messages))

    @property
    def display_prompt(self) -> str:
        """The prompt as shown: with "(pick N)" appended for a multiple-select question."""
        return f"{self.prompt} (pick {self.n_correct})" if self.multiple else self.prompt

    @property
    def instruction(self) -> str:
        if self.multiple:
            return f"Select {self.n_correct} options, then press Check."
        return "Select one option, then press Check."


def static_html(question: Question) -> str:
    """The question as static HTML: the options listed, the answer and all feedback in ``<details>``."""
    esc = html.escape
    items = "".join(f"<li>{esc(o.text)}</li>" for o in question.options)
    answers = "".join(
        f"<li>{'✔' if o.correct else '✘'} <b>{esc(o.text)}</b> — {esc(o.feedback)}</li>"
        for o in question.options
    )
    explanation = f"<p>{esc(question.explanation)}</p>" if question.explanation else ""
    return (
        f'<div class="losslab-quiz-static"><p><b>Think!</b> {esc(question.display_prompt)}</p>'
        f"<ol type='A'>{items}</ol>"
        f"<details><summary>Show the answer</summary><ul>{answers}</ul>{explanation}</details></div>"
    )


def quiz_widget(question: Question):
    """Build the interactive widget (an ``ipywidgets.VBox``) for ``question``."""
    import ipywidgets as widgets

    header = widgets.HTML(
        f"<p><b>Think!</b> {html.escape(question.display_prompt)}</p>"
        f"<p><i>{html.escape(question.instruction)}</i></p>"
    )
    layout = widgets.Layout(width="auto")
    if question.multiple:
        boxes = [
            widgets.Checkbox(value=False, description=o.text, indent=False, layout=layout)
            for o in question.options
        ]
        choices = widgets.VBox(boxes)

        def selected() -> list[int]:
            return [i for i, b in enumerate(boxes) if b.value]

        for box in boxes:
            box.add_class(CSS_OPTION)
    else:
        radio = widgets.RadioButtons(options=[o.text for o in question.options], index=None, layout=layout)
        radio.add_class(CSS_OPTION)
        choices = radio

        def selected() -> list[int]:
            return [] if radio.index is None else [radio.index]

    button = widgets.Button(description="Check", button_style="primary")
    button.add_class(CSS_CHECK)
    feedback = widgets.HTML("")
    feedback.add_class(CSS_FEEDBACK)

    def on_click(_button) -> None:
        answer = question.check(selected())
        colour = "#2e7d32" if answer.correct else "#c62828"
        lines = "".join(f"<li>{html.escape(m)}</li>" for m in answer.messages)
        feedback.value = f'<ul style="color:{colour}">{lines}</ul>'

    button.on_click(on_click)
    return widgets.VBox([header, choices, button, feedback])


class _QuizDisplay:
    """Displays as the widget in JupyterLab, as static HTML where widgets cannot run."""

    def __init__(self, question: Question):
        self.question = question
        self.widget = quiz_widget(question)

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        bundle["text/html"] = static_html(self.question)
        bundle["text/plain"] = f"Quiz: {self.question.display_prompt}"
        return bundle


def ask(question: Question | str):
    """Show a quiz question (a :class:`Question` or a quiz-bank key such as ``"problem_kinds.arya"``).

    Returns the displayable object, so the last line of a cell ``ask(...)`` renders it.
    """
    if isinstance(question, str):
        question = get_question(question)
    if not isinstance(question, Question):
        raise TypeError(f"ask() takes a Question or a quiz-bank key, got {type(question).__name__}")
    return _QuizDisplay(question)


# The quiz bank (content) imports this engine; the engine finds the bank by name, at call time.
QUIZBANK = "losslab.interactive.quizbank"


def bank_modules() -> tuple[str, ...]:
    """The quiz-bank modules: every module of :mod:`losslab.interactive.quizbank` (found, not listed)."""
    package = importlib.import_module(QUIZBANK)
    return tuple(sorted(info.name for info in pkgutil.iter_modules(package.__path__)))


def get_question(key: str) -> Question:
    """Look up one question by ``"module.name"``."""
    modules = bank_modules()
    module_name, _, name = key.partition(".")
    if module_name not in modules or not name:
        raise KeyError(f"quiz key must be 'module.name' with module one of {modules}, got {key!r}")
    questions = importlib.import_module(f"{QUIZBANK}.{module_name}").QUESTIONS
    try:
        return questions[name]
    except KeyError:
        raise KeyError(f"no question {name!r} in quizbank.{module_name}; have {sorted(questions)}") from None


def all_questions() -> dict[str, Question]:
    """Every question of the course, by key (for tests and the final mixed quiz)."""
    found = {}
    for module_name in bank_modules():
        module = importlib.import_module(f"{QUIZBANK}.{module_name}")
        found.update({f"{module_name}.{name}": q for name, q in module.QUESTIONS.items()})
    return found
