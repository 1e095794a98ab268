"""Loss Lab: the helper package behind the course's notebooks.

Importing ``losslab`` (or any of its sub-packages) is cheap and does not import TensorFlow.
Sub-packages by concern, lowest layer first; a module may import from its own
sub-package and from the layers above it in this list, never from the layers below it:

``environment``
    Notebook set-up (``setup_notebook``), determinism, ``losslab doctor``, ``losslab lab``.
``data``
    The data sets: multi-digit canvases, rare-label canvases, digit grids, the mask task.
``modeling``
    Tensors, models, training (``fit``), reference losses, loss comparisons, decoding and metrics.
``debugging``
    Gradient checks, loss diagnostics, the lessons' buggy specimens.
``figures``
    The lessons' figures.
``interactive``
    Explorer widgets and the quiz engine (``ask``); the questions live in ``interactive.quizbank``.
``exercises``
    The check engine (``check``), check helpers, the suites (``exercises.suites``), the generator.
``grading``
    ``losslab grade``: command, sandbox, worker processes, confinement, wire format.
``site``
    ``losslab site``: the lessons as a web page.

:mod:`losslab.cli` (the ``losslab`` command) sits on top. Notebooks import from the
sub-packages themselves (``from losslab.modeling import fit``); see CONTRIBUTING.md.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
