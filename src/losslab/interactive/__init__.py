"""Widgets and quizzes: explorers a learner drags, and the end-of-lesson questions.

Modules: :mod:`~losslab.interactive.explorers` (sliders over softmax/sigmoid and loss gradients),
:mod:`~losslab.interactive.quiz` (the quiz engine, ``ask``), :mod:`~losslab.interactive.quizbank`
(the questions: content that imports the engine, found by name), :mod:`~losslab.interactive.quiz_audit`
(answer tells in a bank: positions, lengths, self-explaining options),
:mod:`~losslab.interactive.thread_verdicts` (the source threads' claims and the course's verdicts,
one list for lessons 07 and 09).

May import: :mod:`losslab.environment`, :mod:`losslab.data`, :mod:`losslab.modeling`,
:mod:`losslab.debugging`, :mod:`losslab.figures`.
"""

from losslab._exports import lazy_exports

__all__ = [
    "ask",
    "loss_gradient_explorer",
    "softmax_sigmoid_table",
    "softmax_vs_sigmoid_explorer",
    "verdict_table",
]

_EXPORTS = {  # name -> module of this package
    "ask": "quiz",
    "loss_gradient_explorer": "explorers",
    "softmax_sigmoid_table": "explorers",
    "softmax_vs_sigmoid_explorer": "explorers",
    "verdict_table": "thread_verdicts",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
