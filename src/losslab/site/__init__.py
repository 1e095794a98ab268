"""The course as a web page: ``losslab site`` renders the lessons to static HTML (:mod:`~losslab.site.build`).

May import: every lower layer (up to :mod:`losslab.grading`). Importing this package imports
none of its modules (``python -m losslab.site.build`` runs the build once).
"""

__all__: list[str] = []
