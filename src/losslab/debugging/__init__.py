"""Debugging aids: finite-difference gradient checks, loss diagnostics, and real bugs kept as specimens.

Modules: :mod:`~losslab.debugging.gradcheck` (finite differences vs GradientTape),
:mod:`~losslab.debugging.diagnostics` (checks that find a broken loss or model; with
:mod:`~losslab.debugging.wiring` for model-to-loss wiring and :mod:`~losslab.debugging.verdict`
for what they return),
:mod:`~losslab.debugging.bug_bank` (the lessons' buggy losses and models).

May import: :mod:`losslab.environment`, :mod:`losslab.data`, :mod:`losslab.modeling`.
"""

from losslab._exports import lazy_exports

__all__ = [
    "bug_bank",
    "check_compiled_metrics",
    "check_initial_loss",
    "check_logits_vs_probabilities",
    "check_loss_gradient",
    "check_output_statistics",
    "gradient_check",
    "overfit_one_batch",
    "show_code",
]

_EXPORTS = {  # name -> module of this package
    "bug_bank": "bug_bank",
    "check_compiled_metrics": "diagnostics",
    "check_initial_loss": "diagnostics",
    "check_logits_vs_probabilities": "diagnostics",
    "check_loss_gradient": "diagnostics",
    "check_output_statistics": "diagnostics",
    "gradient_check": "gradcheck",
    "overfit_one_batch": "diagnostics",
    "show_code": "bug_bank",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
