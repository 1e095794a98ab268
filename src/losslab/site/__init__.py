"""Publishing the course: ``losslab site`` renders the lessons to static HTML that works offline
(:mod:`~losslab.site.build`, MathJax from :mod:`~losslab.site.mathjax`), and ``losslab release``
builds the learners' edition without answers (:mod:`~losslab.site.release`).

May import: every lower layer (up to :mod:`losslab.grading`). Importing this package imports
none of its modules (``python -m losslab.site.build`` runs the build once).
"""

__all__: list[str] = []
