"""Repository-wide pytest set-up (applies to tests/ and to nbval's notebook runs)."""

import os

# Before any test imports TensorFlow: keep its C++ start-up messages out of test output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def pytest_collection_modifyitems(session, config, items):
    """Tell nbval not to compare stderr: TensorFlow may log there; lessons keep stdout stable."""
    for item in items:
        notebook = getattr(item, "parent", None)
        skip = getattr(notebook, "skip_compare", None)
        if skip is not None and "stderr" not in skip:
            notebook.skip_compare = (*skip, "stderr")
