"""Shared fixtures for the unit tests."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def tf():
    from losslab.environment.runtime import import_tensorflow_quietly

    return import_tensorflow_quietly()[0]


@pytest.fixture(autouse=True)
def _agg_backend(monkeypatch):
    """Figures in tests never need a screen."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
