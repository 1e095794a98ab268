"""The files Binder / repo2docker (and JupyterHub images built with it) read: valid, and in step with pyproject.

repo2docker looks only in ``binder/`` when that folder exists. It installs
``binder/environment.yml`` *before* copying the repository, so that file must not
install the course itself (``-e .``); ``binder/postBuild`` does that, then writes the
course's JupyterLab defaults. (``tests/test_environment_files.py`` checks the root
``environment.yml`` for conda users.)
"""

import json
import os
import stat
import subprocess
import sys
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement

from losslab.environment.launch import FIRST_LESSON, LAB_OVERRIDES

# Files repo2docker would act on at the root; with binder/ present they are silently ignored.
REPO2DOCKER_FILES = (
    "postBuild",
    "start",
    "requirements.txt",
    "apt.txt",
    "runtime.txt",
    "install.R",
    "Project.toml",
    "Pipfile",
    "setup.py",
    "Dockerfile",
)


def _req(spec: str) -> tuple[str, str, str]:
    req = Requirement(spec)
    return req.name.lower().replace("_", "-"), str(req.specifier), str(req.marker or "")


@pytest.fixture(scope="module")
def binder_env(repo_root):
    return yaml.safe_load((repo_root / "binder" / "environment.yml").read_text())


def _split(env):
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return conda, pip


def _dependency_mismatch(root) -> tuple[set, set]:
    """(only in binder/environment.yml, only in pyproject.toml's [project.dependencies])."""
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    _, pip = _split(yaml.safe_load((root / "binder" / "environment.yml").read_text()))
    wanted = {_req(s) for s in project["dependencies"]}
    listed = {_req(s) for s in pip}
    return listed - wanted, wanted - listed


def test_binder_environment_lists_exactly_the_runtime_dependencies(repo_root):
    extra, missing = _dependency_mismatch(repo_root)
    assert not extra and not missing, (
        f"only in binder/environment.yml: {sorted(extra)}; "
        f"only in pyproject.toml [project.dependencies]: {sorted(missing)}"
    )


def test_a_disagreement_is_detected(repo_root, tmp_path):
    (tmp_path / "binder").mkdir()
    (tmp_path / "pyproject.toml").write_text((repo_root / "pyproject.toml").read_text())
    text = (repo_root / "binder" / "environment.yml").read_text()
    (tmp_path / "binder" / "environment.yml").write_text(text.replace("numpy>=1.26", "numpy>=1.20"))
    extra, missing = _dependency_mismatch(tmp_path)
    assert extra == {("numpy", ">=1.20", "")} and missing == {("numpy", ">=1.26", "")}


def test_binder_environment_does_not_install_the_repository(binder_env):
    _, pip = _split(binder_env)
    local = [s for s in pip if s.startswith("-e") or s.strip() in {".", "./"}]
    assert not local, (
        f"{local}: repo2docker has not copied the repository yet at this step; postBuild installs it"
    )


def test_binder_python_matches_the_root_environment_and_pyproject(repo_root, binder_env):
    root_env = yaml.safe_load((repo_root / "environment.yml").read_text())
    conda, _ = _split(binder_env)
    root_conda = [d for d in root_env["dependencies"] if isinstance(d, str)]
    python = next(c for c in conda if c.startswith("python"))
    assert python == next(c for c in root_conda if c.startswith("python"))
    assert "pip" in conda
    assert binder_env["channels"] == root_env["channels"]
    requires = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]["requires-python"]
    assert python.split("=")[-1] in Requirement(f"python{requires}").specifier


def test_no_root_file_is_silently_ignored_by_repo2docker(repo_root):
    ignored = [name for name in REPO2DOCKER_FILES if (repo_root / name).exists()]
    assert not ignored, f"{ignored} at the root: repo2docker reads only binder/ - move them there"
    assert not (repo_root / "binder" / "Dockerfile").exists(), (
        "a Dockerfile would make repo2docker ignore the rest"
    )


def test_post_build_is_an_executable_strict_bash_script(repo_root):
    script = repo_root / "binder" / "postBuild"
    assert script.stat().st_mode & stat.S_IXUSR, (
        "postBuild must be executable (chmod +x, and commit the mode)"
    )
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert f"urlpath=lab/tree/{FIRST_LESSON}" in text, "the documented launch link must open lesson 01"
    subprocess.run(["bash", "-n", str(script)], check=True)


def test_post_build_installs_the_course_and_writes_the_lab_defaults(repo_root, tmp_path):
    """Run postBuild for real, with `python -m pip` stubbed (no network, no change to this environment)."""
    stub_dir = tmp_path / "bin"
    stub_dir.mkdir()
    calls = tmp_path / "pip-calls.txt"
    (stub_dir / "python").write_text(
        "#!/usr/bin/env bash\n"
        'if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "$PWD :: ${*:3}" >> "$PIP_CALLS"; exit 0; fi\n'
        f'exec "{sys.executable}" "$@"\n'
    )
    (stub_dir / "python").chmod(0o755)
    prefix = tmp_path / "prefix"
    env = {
        **os.environ,
        "PATH": f"{stub_dir}{os.pathsep}{os.environ['PATH']}",
        "NB_PYTHON_PREFIX": str(prefix),
        "PIP_CALLS": str(calls),
    }
    done = subprocess.run(
        ["bash", str(repo_root / "binder" / "postBuild")],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    [call] = calls.read_text().splitlines()
    where, args = call.split(" :: ")
    assert where == str(repo_root)
    assert args.split()[0] == "install" and "--no-deps" in args.split() and args.endswith("-e .")
    overrides = json.loads((prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json").read_text())
    for plugin, values in LAB_OVERRIDES.items():
        assert overrides[plugin] == values


def test_the_first_lesson_exists(repo_root):
    assert (repo_root / FIRST_LESSON).is_file()
