"""Notebook set-up and the learner's environment: quiet TensorFlow, seeds, plot style, checks, launch.

Modules: :mod:`~losslab.environment.runtime` (``setup_notebook()``, ``import_tensorflow_quietly()``),
:mod:`~losslab.environment.determinism` (op determinism for one visible block),
:mod:`~losslab.environment.paths` (the course checkout), :mod:`~losslab.environment.doctor`
(``losslab doctor``) and :mod:`~losslab.environment.launch` (``losslab lab``).

The lowest layer: imports no other sub-package of losslab. Importing it does not import
TensorFlow (lessons import ``setup_notebook`` from here before TensorFlow starts).
"""

from losslab._exports import lazy_exports

__all__ = [
    "DEFAULT_SEED",
    "op_determinism",
    "import_tensorflow_quietly",
    "repo_root",
    "set_seeds",
    "setup_notebook",
]

_EXPORTS = {  # name -> module of this package
    "DEFAULT_SEED": "runtime",
    "op_determinism": "determinism",
    "import_tensorflow_quietly": "runtime",
    "repo_root": "paths",
    "set_seeds": "runtime",
    "setup_notebook": "runtime",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
