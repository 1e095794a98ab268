"""course.py's learner workspace and `update`: a learner's work never blocks an update, and is never lost.

The end-to-end tests build a real upstream git repository and a learner's clone of it,
change the same notebook on both sides, add new material upstream, and run
``python3 course.py update`` in the clone as a learner would.
"""

import importlib.util
import json
import shutil
import subprocess
import sys

import pytest


def _notebook(*sources: str) -> str:
    cells = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": src}
        for src in sources
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


def _run_notebook(path):
    """What running a notebook in JupyterLab does to the file: outputs and counters, same sources."""
    nb = json.loads(path.read_text())
    for n, cell in enumerate(nb["cells"], 1):
        cell["execution_count"] = n
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "ran\n"}]
    path.write_text(json.dumps(nb))


def _edit_notebook(path, source):
    nb = json.loads(path.read_text())
    nb["cells"][0]["source"] = source
    path.write_text(json.dumps(nb))


def _sources(path):
    return ["".join(c["source"]) for c in json.loads(path.read_text())["cells"]]


@pytest.fixture
def course(repo_root):
    spec = importlib.util.spec_from_file_location("course_bootstrap", repo_root / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- sync_workspace on plain folders ---------------------------------------------------------------


@pytest.fixture
def tree(tmp_path):
    root, ws = tmp_path / "course", tmp_path / "course" / "workspace"
    (root / "notebooks").mkdir(parents=True)
    (root / "exercises").mkdir()
    (root / "notebooks" / "01_a.ipynb").write_text(_notebook("print(1)"))
    (root / "exercises" / "01_a.ipynb").write_text(_notebook("# YOUR CODE HERE"))
    (root / "notebooks" / ".ipynb_checkpoints").mkdir()
    (root / "notebooks" / ".ipynb_checkpoints" / "01_a-checkpoint.ipynb").write_text("{}")
    return root, ws


def test_first_sync_copies_lessons_and_exercises_only(course, tree):
    root, ws = tree
    report = course.sync_workspace(root, ws)
    assert sorted(report["added"]) == ["exercises/01_a.ipynb", "notebooks/01_a.ipynb"]
    assert not (ws / "notebooks" / ".ipynb_checkpoints").exists()
    assert (ws / "notebooks" / "01_a.ipynb").read_text() == (root / "notebooks" / "01_a.ipynb").read_text()
    assert course.sync_workspace(root, ws) == {"added": [], "restored": [], "updated": [], "kept": []}


def test_a_notebook_only_run_counts_as_unchanged(course, tree):
    root, ws = tree
    course.sync_workspace(root, ws)
    _run_notebook(ws / "notebooks" / "01_a.ipynb")
    (root / "notebooks" / "01_a.ipynb").write_text(_notebook("print(2)"))
    report = course.sync_workspace(root, ws)
    assert report["updated"] == ["notebooks/01_a.ipynb"]
    assert _sources(ws / "notebooks" / "01_a.ipynb") == ["print(2)"]


def test_an_edit_on_both_sides_keeps_the_learners_file_and_saves_the_new_one_beside_it(course, tree):
    root, ws = tree
    course.sync_workspace(root, ws)
    mine = ws / "exercises" / "01_a.ipynb"
    _edit_notebook(mine, "answer = 42")
    (root / "exercises" / "01_a.ipynb").write_text(_notebook("# YOUR CODE HERE (clearer)"))
    report = course.sync_workspace(root, ws)
    assert report["kept"] == [("exercises/01_a.ipynb", "exercises/01_a.new.ipynb")]
    assert _sources(mine) == ["answer = 42"]
    assert _sources(ws / "exercises" / "01_a.new.ipynb") == ["# YOUR CODE HERE (clearer)"]
    # The learner is told once; a further course change gets a second file, never overwriting.
    assert course.sync_workspace(root, ws)["kept"] == []
    (root / "exercises" / "01_a.ipynb").write_text(_notebook("# third version"))
    assert course.sync_workspace(root, ws)["kept"] == [("exercises/01_a.ipynb", "exercises/01_a.new-2.ipynb")]
    assert _sources(ws / "exercises" / "01_a.new.ipynb") == ["# YOUR CODE HERE (clearer)"]


def test_a_learner_edit_alone_is_left_alone_and_deleted_files_come_back(course, tree):
    root, ws = tree
    course.sync_workspace(root, ws)
    _edit_notebook(ws / "exercises" / "01_a.ipynb", "mine")
    (ws / "notebooks" / "01_a.ipynb").unlink()
    report = course.sync_workspace(root, ws)
    assert report == {"added": [], "restored": ["notebooks/01_a.ipynb"], "updated": [], "kept": []}
    assert _sources(ws / "exercises" / "01_a.ipynb") == ["mine"]


def test_a_learners_own_file_with_a_new_lessons_name_is_kept(course, tree):
    root, ws = tree
    course.sync_workspace(root, ws)
    (ws / "notebooks" / "02_b.ipynb").write_text(_notebook("my notes"))
    (root / "notebooks" / "02_b.ipynb").write_text(_notebook("lesson 2"))
    report = course.sync_workspace(root, ws)
    assert report["kept"] == [("notebooks/02_b.ipynb", "notebooks/02_b.new.ipynb")]
    assert _sources(ws / "notebooks" / "02_b.ipynb") == ["my notes"]


def test_a_damaged_notebook_is_compared_by_bytes(course, tmp_path):
    broken = tmp_path / "x.ipynb"
    broken.write_text("{not json")
    other = tmp_path / "y.ipynb"
    other.write_text("{not json either")
    assert course.fingerprint(broken) != course.fingerprint(other)


def test_lab_creates_the_workspace_and_serves_it(course, tmp_path, monkeypatch):
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    (root / "exercises").mkdir()
    (root / "notebooks" / "01_a.ipynb").write_text(_notebook("1"))
    monkeypatch.setattr(course, "ROOT", root)
    monkeypatch.setattr(course, "WORKSPACE", root / "workspace")
    monkeypatch.setattr(course, "setup", lambda dev: None)
    launched = []
    monkeypatch.setattr(course.subprocess, "call", lambda argv, cwd: launched.append(argv) or 0)
    assert course.main(["lab", "--no-browser"]) == 0
    assert (root / "workspace" / "notebooks" / "01_a.ipynb").is_file()
    [argv] = launched
    assert argv[1:3] == ["-m", course.LAUNCH_MODULE] and importlib.util.find_spec(course.LAUNCH_MODULE)
    assert argv[argv.index("--root") + 1] == root / "workspace" and argv[-1] == "--no-browser"


# --- the real thing: git, a clone, `python3 course.py update` --------------------------------------


def _git(cwd, *args):
    return subprocess.run(
        ["git", "-c", "user.name=Course", "-c", "user.email=course@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture
def clone(repo_root, tmp_path, course):
    """An upstream course repository (course.py, .gitignore, two lessons, one exercise) and a learner's clone."""
    if shutil.which("git") is None:
        pytest.fail("git is needed for `course.py update`")
    upstream = tmp_path / "upstream"
    (upstream / "notebooks").mkdir(parents=True)
    (upstream / "exercises").mkdir()
    shutil.copy(repo_root / "course.py", upstream / "course.py")
    (upstream / ".gitignore").write_text(".venv/\n")  # the workspace must stay out of git without help
    (upstream / "pyproject.toml").write_text("[project]\nname = 'course'\n")
    (upstream / "notebooks" / "01_a.ipynb").write_text(_notebook("print('lesson 1')"))
    (upstream / "notebooks" / "02_b.ipynb").write_text(_notebook("print('lesson 2')", "x = 1"))
    (upstream / "exercises" / "02_b.ipynb").write_text(_notebook("# YOUR CODE HERE"))
    _git(upstream, "init", "--quiet", "--initial-branch=main")
    _git(upstream, "add", "-A")
    _git(upstream, "commit", "--quiet", "-m", "course")
    learner = tmp_path / "learner"
    _git(tmp_path, "clone", "--quiet", str(upstream), str(learner))
    # The course environment is already set up (what `course.py lab` did on the first day).
    python = learner / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.symlink_to(sys.executable)
    digest = course.hashlib.sha256((learner / "pyproject.toml").read_bytes()).hexdigest()
    (learner / ".venv" / ".losslab-installed").write_text(f"{digest} dev=False\n")
    return upstream, learner


def _update(learner, *args):
    done = subprocess.run(
        [sys.executable, "course.py", "update", *args],
        cwd=learner,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_update_with_edits_on_both_sides_loses_nothing(clone):
    upstream, learner = clone
    _update(learner)  # the first run creates the workspace, as the first `course.py lab` does
    ws = learner / "workspace"
    # The learner ran lesson 1, and wrote their own code into lesson 2 and the exercise.
    _run_notebook(ws / "notebooks" / "01_a.ipynb")
    _edit_notebook(ws / "notebooks" / "02_b.ipynb", "print('my experiment')")
    _edit_notebook(ws / "exercises" / "02_b.ipynb", "def f(): return 42")
    # Meanwhile the course fixes lessons 1 and 2 and adds lesson 3 with its exercise.
    (upstream / "notebooks" / "01_a.ipynb").write_text(_notebook("print('lesson 1, fixed')"))
    (upstream / "notebooks" / "02_b.ipynb").write_text(_notebook("print('lesson 2, fixed')", "x = 1"))
    (upstream / "notebooks" / "03_c.ipynb").write_text(_notebook("print('lesson 3')"))
    (upstream / "exercises" / "03_c.ipynb").write_text(_notebook("# YOUR CODE HERE"))
    _git(upstream, "add", "-A")
    _git(upstream, "commit", "--quiet", "-m", "fixes and lesson 3")

    said = _update(learner)

    # Nothing lost: the learner's own work is untouched.
    assert _sources(ws / "notebooks" / "02_b.ipynb") == ["print('my experiment')", "x = 1"]
    assert _sources(ws / "exercises" / "02_b.ipynb") == ["def f(): return 42"]
    # The course's new version of the notebook they changed sits beside it, and they are told where.
    assert _sources(ws / "notebooks" / "02_b.new.ipynb") == ["print('lesson 2, fixed')", "x = 1"]
    assert "kept your version of notebooks/02_b.ipynb" in said and "notebooks/02_b.new.ipynb" in said
    # New material arrived; the lesson they had only run was refreshed.
    assert _sources(ws / "notebooks" / "03_c.ipynb") == ["print('lesson 3')"]
    assert (ws / "exercises" / "03_c.ipynb").is_file()
    assert _sources(ws / "notebooks" / "01_a.ipynb") == ["print('lesson 1, fixed')"]
    # The course folder is exactly upstream's, and git sees nothing to commit.
    assert _git(learner, "status", "--porcelain", "--untracked-files=all") == ""
    assert _git(learner, "rev-parse", "HEAD") == _git(upstream, "rev-parse", "HEAD")
    # A second update changes nothing.
    assert "nothing new" in _update(learner)
    assert not (ws / "notebooks" / "02_b.new-2.ipynb").exists()


def test_update_rescues_edits_made_in_the_course_folder(clone):
    """Before the workspace existed, learners edited the tracked notebooks; those edits move, then git pulls."""
    upstream, learner = clone
    _edit_notebook(learner / "exercises" / "02_b.ipynb", "old-style work")
    _git(learner, "add", "exercises/02_b.ipynb")  # even staged
    (learner / "notebooks" / "01_a.ipynb").unlink()  # and a lesson deleted there
    (upstream / "exercises" / "02_b.ipynb").write_text(_notebook("# YOUR CODE HERE, reworded"))
    _git(upstream, "commit", "--quiet", "-am", "reword")
    said = _update(learner)
    assert "exercises/02_b.ipynb are now in workspace/exercises/02_b.ipynb" in said
    assert _sources(learner / "workspace" / "exercises" / "02_b.ipynb") == ["old-style work"]
    assert _sources(learner / "exercises" / "02_b.ipynb") == ["# YOUR CODE HERE, reworded"]
    assert (learner / "notebooks" / "01_a.ipynb").is_file()
    assert _git(learner, "status", "--porcelain") == ""


def test_update_refuses_with_advice_when_other_course_files_were_changed(clone):
    upstream, learner = clone
    (learner / "pyproject.toml").write_text("[project]\nname = 'mine'\n")
    done = subprocess.run(
        [sys.executable, "course.py", "update"], cwd=learner, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "pyproject.toml" in done.stderr and "git stash" in done.stderr


def test_update_outside_a_git_clone_says_what_to_do(clone, tmp_path):
    _, learner = clone
    shutil.rmtree(learner / ".git")
    done = subprocess.run(
        [sys.executable, "course.py", "update"], cwd=learner, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0 and "git clone" in done.stderr
