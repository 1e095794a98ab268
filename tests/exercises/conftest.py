"""Fixtures for the suite tests: a test module names its exercise with ``EXERCISE``."""

import pytest

from losslab.exercises.nbtools import exec_graded_cells, repo_root


@pytest.fixture(scope="module")
def solution(request):
    """The graded functions of the exercise's solution notebook (every suite passes on them: test_suites.py)."""
    return exec_graded_cells(repo_root() / "solutions" / f"{request.module.EXERCISE}.ipynb")
