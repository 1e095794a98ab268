"""Repository-wide pytest set-up (applies to tests/ and to nbval's notebook runs)."""

import os

# Before any test imports TensorFlow: keep its C++ start-up messages out of test output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def _honour_trailing_semicolon(source, outputs):
    """Drop the execute_result of a cell whose last line ends with ';', as IPython would.

    nbval (0.11) runs cells with ``store_history=False``; IPython then checks the
    *previous* history entry for the semicolon, so ``plot(...);`` shows its return
    value under nbval but not in JupyterLab or nbclient.
    """
    lines = [line for line in source.rstrip().splitlines() if line.strip()]
    if lines and lines[-1].split("#")[0].rstrip().endswith(";"):
        return [out for out in outputs if out.get("output_type") != "execute_result"]
    return outputs


def _patch_nbval():
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # nbval not installed: nothing to patch
        return
    if getattr(IPyNbCell.compare_outputs, "_losslab_patched", False):
        return
    original = IPyNbCell.compare_outputs

    def compare_outputs(self, test, ref, skip_compare=None):
        return original(self, _honour_trailing_semicolon(self.cell.source, test), ref, skip_compare)

    compare_outputs._losslab_patched = True
    IPyNbCell.compare_outputs = compare_outputs


_patch_nbval()


def pytest_collection_modifyitems(session, config, items):
    """Tell nbval not to compare stderr: TensorFlow may log there; lessons keep stdout stable."""
    for item in items:
        notebook = getattr(item, "parent", None)
        skip = getattr(notebook, "skip_compare", None)
        if skip is not None and "stderr" not in skip:
            notebook.skip_compare = (*skip, "stderr")
