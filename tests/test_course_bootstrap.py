"""course.py: the two commands' set-up logic (stdlib only, runs before any install)."""

import importlib.util
import subprocess
import sys

import pytest


@pytest.fixture
def course(repo_root, tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("course_bootstrap", repo_root / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(module, "STAMP", tmp_path / ".venv" / ".losslab-installed")
    return module


def _fake_venv(course, stamp):
    python = course.venv_python()
    python.parent.mkdir(parents=True)
    python.write_text("")
    if stamp is not None:
        course.STAMP.write_text(stamp + "\n")


def test_nothing_installed_means_not_set_up(course):
    assert not course.is_set_up(dev=False)


def test_stamp_matching_pyproject_skips_install(course):
    _fake_venv(course, course.wanted_stamp(dev=False))
    assert course.is_set_up(dev=False)
    assert not course.is_set_up(dev=True), "the tests need the dev extra"


def test_dev_install_serves_learners_too(course):
    _fake_venv(course, course.wanted_stamp(dev=True))
    assert course.is_set_up(dev=False) and course.is_set_up(dev=True)


def test_changed_pyproject_triggers_reinstall(course):
    _fake_venv(course, course.wanted_stamp(dev=True))
    (course.ROOT / "pyproject.toml").write_text("[project]\nname='y'\n")
    assert not course.is_set_up(dev=True)


def test_old_python_is_refused_with_advice(course, monkeypatch):
    monkeypatch.setattr(sys, "version_info", (3, 10, 0))
    with pytest.raises(SystemExit, match="needs Python 3.11"):
        course.setup(dev=False)


def test_help_and_unknown_commands(repo_root):
    shown = subprocess.run([sys.executable, "course.py"], cwd=repo_root, capture_output=True, text=True)
    assert shown.returncode == 0 and "python3 course.py lab" in shown.stdout
    unknown = subprocess.run(
        [sys.executable, "course.py", "nope"], cwd=repo_root, capture_output=True, text=True
    )
    assert unknown.returncode == 2


def test_ci_script_runs_the_readme_test_command(repo_root):
    ci = (repo_root / ".ci" / "run").read_text()
    readme = (repo_root / "README.md").read_text()
    assert "python3 course.py test" in ci and "python3 course.py test" in readme
    assert "python3 course.py lab" in readme
