"""The exercise generator: stubs, validation, and the --check drift detector."""

import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from losslab.exercises.generate import STUB_COMMENT, generate_all, main, make_exercise, stub_cell_source
from losslab.exercises.nbtools import NotebookError

SOURCE = """def area(r):
    ### BEGIN SOLUTION
    return 3.14159 * r * r
    ### END SOLUTION

x = 1"""


def test_region_becomes_indented_stub_naming_the_function():
    out = stub_cell_source(SOURCE)
    assert "3.14159" not in out
    assert f"    {STUB_COMMENT}" in out
    assert '    raise NotImplementedError("area: replace this line with your code")' in out
    assert out.endswith("x = 1")
    compile(out, "stub", "exec")  # still valid Python


def test_stub_raises_when_called():
    namespace = {}
    exec(stub_cell_source(SOURCE), namespace)
    with pytest.raises(NotImplementedError, match="area"):
        namespace["area"](2)


@pytest.mark.parametrize(
    "source, message",
    [
        ("### BEGIN SOLUTION\nx = 1", "never closed"),
        ("x = 1\n### END SOLUTION", "without a"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
    ],
)
def test_malformed_regions_are_refused(source, message):
    with pytest.raises(NotebookError, match=message):
        stub_cell_source(source, "nb, cell 3")


def _solution_nb(tags=("solution",)):
    nb = new_notebook()
    cell = new_code_cell(SOURCE, metadata={"tags": list(tags)})
    cell.outputs = [nbformat.v4.new_output("stream", text="hello")]
    cell.execution_count = 3
    nb.cells = [new_code_cell("import math", metadata={"tags": ["imports"]}), cell]
    return nb


def test_make_exercise_clears_outputs_and_leaves_input_untouched():
    solution = _solution_nb()
    exercise = make_exercise(solution)
    assert exercise.cells[1].outputs == [] and exercise.cells[1].execution_count is None
    assert "3.14159" in solution.cells[1].source  # the solution object is not modified
    assert "3.14159" not in exercise.cells[1].source


def test_untagged_solution_cell_is_refused():
    with pytest.raises(NotebookError, match="no 'solution' tag"):
        make_exercise(_solution_nb(tags=()))


def test_notebook_without_regions_is_refused():
    nb = new_notebook()
    nb.cells = [new_code_cell("x = 1")]
    with pytest.raises(NotebookError, match="nothing to do"):
        make_exercise(nb)


def test_committed_exercises_are_in_sync(repo_root, capsys):
    assert main(["--check", "--root", str(repo_root)]) == 0, capsys.readouterr().out


@pytest.fixture
def course_copy(repo_root, tmp_path):
    for folder in ("solutions", "exercises"):
        shutil.copytree(repo_root / folder, tmp_path / folder)
    return tmp_path


def test_check_fails_on_a_tampered_exercise(course_copy, capsys):
    target = sorted((course_copy / "exercises").glob("*.ipynb"))[0]
    nb = nbformat.read(target, as_version=4)
    nb.cells[-1].source += "\n# edited by hand"
    nbformat.write(nb, target)
    assert main(["--check", "--root", str(course_copy)]) == 1
    out = capsys.readouterr().out
    assert f"exercises/{target.name} differs from its solution" in out
    assert "python -m losslab.exercises.generate" in out


def test_check_reports_missing_and_stale_exercises(course_copy):
    first = sorted((course_copy / "exercises").glob("*.ipynb"))[0]
    first.rename(course_copy / "exercises" / "99_orphan.ipynb")
    problems = generate_all(course_copy, check=True)
    assert f"exercises/{first.name} is missing" in problems
    assert "exercises/99_orphan.ipynb has no solutions/99_orphan.ipynb" in problems


def test_regenerating_repairs_drift(course_copy):
    first = sorted((course_copy / "exercises").glob("*.ipynb"))[0]
    first.write_text("{}")
    assert generate_all(course_copy) == []
    assert generate_all(course_copy, check=True) == []


def test_broken_solution_gives_exit_code_2(course_copy, capsys):
    (course_copy / "solutions" / "00_broken.ipynb").write_text("{not json")
    assert main(["--root", str(course_copy)]) == 2
    assert "not valid notebook JSON" in capsys.readouterr().err
