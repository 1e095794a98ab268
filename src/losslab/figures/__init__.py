"""The lessons' figures (matplotlib, imported when a figure is drawn).

Modules: :mod:`~losslab.figures.plotting` (canvases, digits, softmax coupling),
:mod:`~losslab.figures.loss_plots` (loss curves of BCE/CCE, training histories),
:mod:`~losslab.figures.loss_figures` (curves and grouped bars for loss comparisons),
:mod:`~losslab.figures.multilabel_figures` (PR curves, threshold sweeps, mask outputs),
:mod:`~losslab.figures.decision_guide` (lesson 09's "which loss?" chart).

May import: :mod:`losslab.environment`, :mod:`losslab.data`, :mod:`losslab.modeling`,
:mod:`losslab.debugging`.
"""

from losslab._exports import lazy_exports

__all__ = [
    "STAGES",
    "plot_bce_curves",
    "plot_cce_curves",
    "plot_coupling",
    "plot_curves",
    "plot_decision_guide",
    "plot_grouped_bars",
    "plot_loss_curves",
    "plot_loss_histories",
    "plot_output_histograms",
    "plot_pr_curves",
    "plot_threshold_sweep",
    "route_for",
    "show_canvases",
    "show_digits",
    "show_mask_outputs",
    "show_predictions",
]

_EXPORTS = {  # name -> module of this package
    "STAGES": "decision_guide",
    "plot_bce_curves": "loss_plots",
    "plot_cce_curves": "loss_plots",
    "plot_coupling": "plotting",
    "plot_curves": "loss_figures",
    "plot_decision_guide": "decision_guide",
    "plot_grouped_bars": "loss_figures",
    "plot_loss_curves": "multilabel_figures",
    "plot_loss_histories": "loss_plots",
    "plot_output_histograms": "multilabel_figures",
    "plot_pr_curves": "multilabel_figures",
    "plot_threshold_sweep": "multilabel_figures",
    "route_for": "decision_guide",
    "show_canvases": "plotting",
    "show_digits": "plotting",
    "show_mask_outputs": "multilabel_figures",
    "show_predictions": "multilabel_figures",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
