"""Reading notebooks and running their graded cells."""

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from losslab.exercises import nbtools
from losslab.exercises.nbtools import NotebookError, exec_graded_cells, graded_source, read_notebook


def _write(tmp_path, cells, name="nb.ipynb"):
    nb = new_notebook()
    nb.cells = cells
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def test_repo_root_finds_the_checkout(repo_root):
    assert (repo_root / "notebooks").is_dir()
    assert repo_root == repo_root.resolve()
    assert nbtools.repo_root() == repo_root


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not valid notebook JSON"),
        ('{"hello": 1}', "not a Jupyter notebook"),
        ('{"cells": "nope", "nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "not a valid nbformat-4"),
    ],
)
def test_broken_files_get_actionable_errors(tmp_path, content, message):
    path = tmp_path / "bad.ipynb"
    path.write_text(content)
    with pytest.raises(NotebookError, match=message):
        read_notebook(path)


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(NotebookError, match="no such notebook"):
        read_notebook(tmp_path / "nope.ipynb")
    binary = tmp_path / "bin.ipynb"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(NotebookError, match="not a text file"):
        read_notebook(binary)


def test_graded_source_takes_imports_and_solution_cells_in_order(tmp_path):
    path = _write(
        tmp_path,
        [
            new_markdown_cell("# title"),
            new_code_cell("a = 1", metadata={"tags": ["imports"]}),
            new_code_cell("print('demo')"),
            new_code_cell("b = a + 1", metadata={"tags": ["solution"]}),
            new_code_cell("check(b)", metadata={"tags": ["check"]}),
        ],
    )
    assert graded_source(read_notebook(path)) == ["a = 1", "b = a + 1"]
    assert exec_graded_cells(path)["b"] == 2


def test_untagged_notebook_is_refused(tmp_path):
    path = _write(tmp_path, [new_code_cell("x = 1")])
    with pytest.raises(NotebookError, match="no cells tagged"):
        graded_source(read_notebook(path))


def test_tolerated_errors_skip_to_the_next_cell(tmp_path):
    path = _write(
        tmp_path,
        [
            new_code_cell("raise NotImplementedError", metadata={"tags": ["solution"]}),
            new_code_cell("%matplotlib inline\nc = 3", metadata={"tags": ["solution"]}),
        ],
    )
    with pytest.raises(NotImplementedError):
        exec_graded_cells(path)
    assert exec_graded_cells(path, tolerate=(NotImplementedError,))["c"] == 3


def test_course_notebooks_read_cleanly(repo_root):
    paths = sorted(repo_root.glob("*/[0-9][0-9]_*.ipynb"))
    assert paths
    for path in paths:
        json.loads(path.read_text())
        read_notebook(path)
