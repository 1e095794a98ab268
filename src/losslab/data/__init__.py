"""The course's data sets, generated offline from scikit-learn's 8x8 digits.

Modules: :mod:`~losslab.data.canvases` (multi-digit canvases, lessons 01-07),
:mod:`~losslab.data.imbalance` (rare-label canvases and prior bias, lesson 06),
:mod:`~losslab.data.digit_grids` (lesson 09's grids), :mod:`~losslab.data.mask_task`
(the 4096-label mask task, lesson 05).

May import: :mod:`losslab.environment` only.
"""

from losslab._exports import lazy_exports

__all__ = [
    "EMPTY",
    "CanvasSet",
    "base_rates",
    "build_mask_fcn",
    "build_asker_model",
    "expected_base_rates",
    "keras_class_weight_sample_weights",
    "load_canvases",
    "load_digit_grids",
    "load_digits_split",
    "load_mask_task",
    "load_rare_label_canvases",
    "plot_base_rates",
    "plot_grid_examples",
    "prior_logit_bias",
]

_EXPORTS = {  # name -> module of this package
    "EMPTY": "canvases",
    "CanvasSet": "canvases",
    "base_rates": "imbalance",
    "build_mask_fcn": "mask_task",
    "build_asker_model": "mask_task",
    "expected_base_rates": "digit_grids",
    "keras_class_weight_sample_weights": "imbalance",
    "load_canvases": "canvases",
    "load_digit_grids": "digit_grids",
    "load_digits_split": "canvases",
    "load_mask_task": "mask_task",
    "load_rare_label_canvases": "imbalance",
    "plot_base_rates": "digit_grids",
    "plot_grid_examples": "digit_grids",
    "prior_logit_bias": "imbalance",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
