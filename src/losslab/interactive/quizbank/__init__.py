"""The course's quiz questions (content), one module per lesson topic; each defines ``QUESTIONS``.

Questions are kept out of the notebooks so a learner does not see the answer
in the cell source. A key is ``"<module>.<name>"``, e.g. ``"problem_kinds.arya"``.
Each module imports the engine (:mod:`losslab.interactive.quiz`); the engine finds
the modules by name (:func:`~losslab.interactive.quiz.get_question`), so a lesson
adds its module here and nothing else.
"""

__all__: list[str] = []
