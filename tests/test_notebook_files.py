"""Course notebooks as files: naming, structure, committed state (no kernel needed)."""

import re

import nbformat
import pytest

from losslab.exercises.nbtools import TAG_CHECK, TAG_IMPORTS, TAG_SOLUTION, cell_tags

STEM = re.compile(r"^\d\d_[a-z0-9_]+$")


def _paths(repo_root, folder):
    return sorted((repo_root / folder).glob("*.ipynb"))


def _all(repo_root):
    return [p for folder in ("notebooks", "solutions", "exercises") for p in _paths(repo_root, folder)]


def test_names_and_pairing(repo_root):
    lessons = {p.stem for p in _paths(repo_root, "notebooks")}
    solutions = {p.stem for p in _paths(repo_root, "solutions")}
    exercises = {p.stem for p in _paths(repo_root, "exercises")}
    assert "01_multiclass_vs_multilabel" in lessons
    assert all(STEM.match(s) for s in lessons | solutions), "names are NN_slug in lower case"
    assert solutions == exercises, "every solution has its generated exercise and vice versa"
    assert solutions <= lessons, f"solutions without a lesson: {sorted(solutions - lessons)}"
    assert lessons <= solutions, f"lessons without an exercise: {sorted(lessons - solutions)}"


@pytest.mark.parametrize("folder", ["notebooks", "solutions"])
def test_lessons_and_solutions_are_committed_executed_and_clean(repo_root, folder):
    for path in _paths(repo_root, folder):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        counts = [c.execution_count for c in code]
        assert None not in counts, f"{path.name}: some cells were not run"
        assert counts == sorted(counts) and len(set(counts)) == len(counts), f"{path.name}: run top to bottom"
        outputs = [o for c in code for o in c.outputs]
        assert not [o for o in outputs if o.output_type == "error"], f"{path.name}: stored error output"
        stderr = [o.text for o in outputs if o.get("name") == "stderr"]
        assert not stderr, f"{path.name}: stderr a learner would see: {stderr[0][:200]}"


def test_exercises_have_no_outputs(repo_root):
    for path in _paths(repo_root, "exercises"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, f"{path.name}: outputs committed"
            assert "### BEGIN SOLUTION" not in cell.source, f"{path.name}: a solution leaked"


def test_every_notebook_starts_with_one_imports_cell(repo_root):
    for path in _all(repo_root):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert TAG_IMPORTS in cell_tags(code[0]), f"{path.name}: first code cell must be tagged 'imports'"
        assert sum(TAG_IMPORTS in cell_tags(c) for c in code) == 1, f"{path.name}: one imports cell"
        assert "\nsetup_notebook(" in code[0].source, f"{path.name}: call setup_notebook() first"
        assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


def test_lessons_have_quizzes_and_a_summary(repo_root):
    for path in _paths(repo_root, "notebooks"):
        nb = nbformat.read(path, as_version=4)
        sources = [c.source for c in nb.cells]
        assert any("ask(" in s for s in sources if s), f"{path.name}: no quiz"
        headings = [line for s in sources for line in s.splitlines() if line.startswith("## ")]
        assert any(h.startswith("## Summary") for h in headings), f"{path.name}: no '## Summary' section"
        assert any("exercises/" in s for s in sources), f"{path.name}: no pointer to its exercise"


def test_solutions_tag_graded_and_check_cells(repo_root):
    for path in _paths(repo_root, "solutions"):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert any(TAG_SOLUTION in cell_tags(c) for c in code), f"{path.name}: no solution cell"
        assert any(TAG_CHECK in cell_tags(c) for c in code), f"{path.name}: no self-check cell"
        helpers = [c for c in code if not cell_tags(c) and re.search(r"^def |^class ", c.source, re.M)]
        assert not helpers, f"{path.name}: helper code belongs in the package, not in untagged cells"


def test_no_code_is_copied_between_lessons(repo_root):
    """Lessons may define the short function being taught; helpers belong in the package.

    A function defined in two lessons is a copy kept by hand, and a long definition
    is a helper hidden in a cell.
    """
    owners: dict[str, str] = {}
    for path in _paths(repo_root, "notebooks"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            for match in re.finditer(r"^(?:def|class) (\w+)", cell.source, re.M):
                name = match.group(1)
                assert name not in owners, (
                    f"{name} is defined in {owners[name]} and {path.name}: move it to src/losslab/"
                )
                owners[name] = path.name
                body = cell.source[match.start() :].split("\n\n\n")[0]
                assert len(body.splitlines()) <= 25, (
                    f"{path.name}: {name} is long for a cell; move it to the package"
                )
