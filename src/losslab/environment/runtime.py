"""One call at the top of every notebook: quiet TensorFlow, fix the seeds, one plot style.

TensorFlow prints start-up messages from C++ (oneDNN, absl) straight to file
descriptor 2 at import time, ignoring ``TF_CPP_MIN_LOG_LEVEL`` for some of
them. A learner would see them as red text in the first cell, and nbval would
see them as differing output, so :func:`import_tensorflow_quietly` imports
TensorFlow and Keras with that descriptor pointed at ``/dev/null``.

Typical use, as the first code cell of a notebook::

    from losslab.environment.runtime import setup_notebook

    setup_notebook()
"""

from __future__ import annotations

import logging
import os
import random
import warnings
from contextlib import contextmanager

import numpy as np

__all__ = [
    "DEFAULT_SEED",
    "import_tensorflow_quietly",
    "set_seeds",
    "set_plot_style",
    "setup_notebook",
]

DEFAULT_SEED = 42

# Environment variables read by TensorFlow at import time (set only if the user has not set them).
_TF_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",  # C++ logging: errors only
    "KERAS_BACKEND": "tensorflow",  # the course is written for the TensorFlow backend
    # Fixed thread-pool sizes, so that sums are split the same way on any machine (see set_seeds).
    "TF_NUM_INTRAOP_THREADS": "2",
    "TF_NUM_INTEROP_THREADS": "2",
}


@contextmanager
def _stderr_fd_silenced():
    """Point file descriptor 2 at /dev/null for the duration (C-level writes included)."""
    try:
        saved = os.dup(2)
    except OSError:  # no real stderr (some embedded interpreters): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_tensorflow_quietly(threads: int | None = None):
    """Import TensorFlow and Keras without their start-up noise; return ``(tf, keras)``.

    Safe to call many times: after the first import it only returns the modules.
    ``threads``: run TensorFlow's ops on this many threads (None: the thread-pool sizes of
    ``_TF_ENV``, 2 unless the user set ``TF_NUM_INTRAOP_THREADS``/``TF_NUM_INTEROP_THREADS``).
    It takes effect only before TensorFlow's first op in the process; asking for another
    number later prints a note saying to restart the kernel. Before the first import it sets
    the environment of ``_TF_ENV`` (log level, Keras backend, thread-pool sizes; see
    :func:`set_seeds`) where not set already.
    """
    for key, value in _TF_ENV.items():
        os.environ.setdefault(key, value)
    with _stderr_fd_silenced(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import keras
        import tensorflow as tf

        if threads is not None:
            _use_threads(tf, threads)
        # Run one tiny op so lazily loaded kernels log now, while stderr is silenced.
        tf.reduce_sum(tf.ones((2, 2))).numpy()
    tf.get_logger().setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    return tf, keras


def _use_threads(tf, threads: int) -> None:
    if not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive whole number, got {threads!r}")
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:  # TensorFlow started earlier in this process: say so, do not stop the notebook
        print(
            f"note: TensorFlow already runs on other thread settings in this kernel and cannot switch to "
            f"{threads} thread(s); training results may differ in the last digits. To match exactly, "
            "restart the kernel (Kernel > Restart) and run this cell first."
        )


def set_seeds(seed: int = DEFAULT_SEED) -> None:
    """Seed Python, NumPy, TensorFlow and Keras. TensorFlow keeps its default kernels.

    Call once per notebook (``setup_notebook`` does). Op determinism is *not*
    turned on: it changes which kernel computes some ops, and so what a learner's
    own script would see (:mod:`losslab.environment.determinism` shows it for one block).

    Measured on TensorFlow 2.21 / Keras 3.15, CPU (two fresh processes, the
    canvas CNN trained 3 epochs with BCE and with the diverging softmax CE):

    * seeds alone make training repeat bit for bit, run to run, on the same
      machine with default kernels (identical losses and weights);
    * what does change the last bits is the size of TensorFlow's thread pools:
      it decides how an op splits its floating-point sums, and by default it
      is the number of cores. With 1 core the same runs ended with different
      weights (the diverging run's third-epoch loss 4584 instead of 4566);
      with the pools fixed at 2 threads, 1 core and 2 cores agree exactly.
      So :func:`import_tensorflow_quietly` fixes both pools at 2 threads (the
      course's target machine) unless ``TF_NUM_INTRAOP_THREADS`` /
      ``TF_NUM_INTEROP_THREADS`` are already set. Thread settings change speed
      and the order of additions (last-bit rounding), never the formula a
      kernel computes. They take effect only if TensorFlow was not yet imported.
    """
    _, keras = import_tensorflow_quietly()
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)  # seeds python, numpy and the backend


def set_plot_style() -> None:
    """One consistent matplotlib look for every figure in the course."""
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 90,
            "savefig.dpi": 90,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 11,
            "axes.labelsize": 10,
            "legend.fontsize": 9,
            "legend.frameon": False,
            "image.cmap": "gray_r",
            "axes.prop_cycle": mpl.cycler(
                color=["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
            ),
        }
    )


def setup_notebook(seed: int = DEFAULT_SEED, threads: int | None = None) -> None:
    """Quiet TensorFlow, fix the seeds, and set the plot style. Call first in a notebook.

    ``threads`` (default: 2, or the user's ``TF_NUM_*_THREADS``) fixes how many threads TensorFlow
    uses. The order of floating-point sums depends on it, so a training run repeats
    to the last digit only on the same number of threads: an exercise graded by a
    training run asks for the grader's number (see :mod:`losslab.exercises.grid_evaluation`).
    TensorFlow keeps its default kernels (no op determinism): what a lesson shows is what the
    learner's own training script does.
    """
    import_tensorflow_quietly(threads)
    set_seeds(seed)
    set_plot_style()
