"""Executing notebooks in place for committing."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from losslab.exercises.execute import execute_notebook, main


@pytest.mark.slow
def test_execute_saves_outputs_without_timestamps(tmp_path, capsys):
    nb = new_notebook()
    nb.cells = [new_code_cell("x = 6 * 7"), new_code_cell("print(x)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "t.ipynb"
    nbformat.write(nb, path)
    assert main([str(path)]) == 0
    assert "t.ipynb:" in capsys.readouterr().out
    done = nbformat.read(path, as_version=4)
    assert done.cells[1].outputs[0]["text"] == "42\n"
    assert [c.execution_count for c in done.cells] == [1, 2]
    assert all("execution" not in c.metadata for c in done.cells)


@pytest.mark.slow
def test_errors_stop_or_are_kept(tmp_path):
    from nbclient.exceptions import CellExecutionError

    nb = new_notebook()
    nb.cells = [new_code_cell("1 / 0"), new_code_cell("print('after')")]
    path = tmp_path / "e.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(CellExecutionError):
        execute_notebook(path, save=False)
    done, seconds = execute_notebook(path, allow_errors=True, save=False)
    assert done.cells[0].outputs[0]["ename"] == "ZeroDivisionError" and seconds > 0
    assert done.cells[1].outputs[0]["text"] == "after\n"
