"""Loss Lab: the helper package behind the course's notebooks.

Importing ``losslab`` is cheap and does not import TensorFlow. The modules, by concern:

Notebook set-up and environment
    :mod:`~losslab.runtime` (``setup_notebook()``: quiet TensorFlow, seeds, plot style),
    :mod:`~losslab.determinism` (TensorFlow's default kernels for one block),
    :mod:`~losslab.doctor` (environment check), :mod:`~losslab.launch` (JupyterLab settings).
Data sets
    :mod:`~losslab.data` (multi-digit canvases), :mod:`~losslab.imbalance` (rare-label canvases),
    :mod:`~losslab.digit_grids` (lesson 09's grids), :mod:`~losslab.mask_task` (the 4096-label mask task).
Models, training, losses, decoding, metrics
    :mod:`~losslab.models`, :mod:`~losslab.multi_output`, :mod:`~losslab.training`,
    :mod:`~losslab.multilabel_losses` (references TF/Keras do not ship), :mod:`~losslab.loss_comparison`,
    :mod:`~losslab.thresholds`, :mod:`~losslab.label_decoding`, :mod:`~losslab.tensors`.
Debugging
    :mod:`~losslab.gradcheck` (finite differences vs GradientTape), :mod:`~losslab.diagnostics`,
    :mod:`~losslab.bug_bank` (real bugs, kept as specimens).
Figures and widgets
    :mod:`~losslab.plotting`, :mod:`~losslab.loss_plots`, :mod:`~losslab.loss_figures`,
    :mod:`~losslab.multilabel_figures`, :mod:`~losslab.decision_guide`, :mod:`~losslab.explorers`,
    :mod:`~losslab.quiz` (questions in :mod:`~losslab.quizbank`).
Exercises and grading
    :mod:`~losslab.checks` (the engine; suites in :mod:`~losslab.suites`), :mod:`~losslab.tensor_checks`,
    :mod:`~losslab.loss_checks`, :mod:`~losslab.generate`, :mod:`~losslab.nbtools`, :mod:`~losslab.execute`,
    :mod:`~losslab.grading` with :mod:`~losslab.sandbox`, :mod:`~losslab.worker_processes`,
    :mod:`~losslab.sandbox_worker`, :mod:`~losslab.remote_objects`, :mod:`~losslab.wire`,
    :mod:`~losslab.confinement`.
The course as a web page
    :mod:`~losslab.site`. The ``losslab`` command is :mod:`~losslab.cli`.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
