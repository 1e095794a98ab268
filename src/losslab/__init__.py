"""Loss Lab: the helper package behind the course's notebooks.

Importing ``losslab`` is cheap and does not import TensorFlow; the modules are:

* :mod:`losslab.runtime`   - ``setup_notebook()``: quiet TensorFlow, seeds, plot style
* :mod:`losslab.data`      - the multi-digit canvas data set (from scikit-learn's digits)
* :mod:`losslab.plotting`  - figures used by several lessons
* :mod:`losslab.explorers` - slider explorers (ipywidgets)
* :mod:`losslab.quiz`      - quizzes as data, rendered as widgets; :mod:`losslab.quizbank` holds them
* :mod:`losslab.checks`    - the self-check/grading engine; :mod:`losslab.suites` holds the checks
* :mod:`losslab.generate`  - builds ``exercises/`` from ``solutions/``
* :mod:`losslab.doctor`    - environment check for learners
* :mod:`losslab.launch`    - how the course starts JupyterLab
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
