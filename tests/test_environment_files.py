"""environment.yml (conda / Binder) lists exactly the dependencies of pyproject.toml."""

import tomllib

import yaml
from packaging.requirements import Requirement


def _normalise(spec: str) -> tuple[str, str, str]:
    req = Requirement(spec)
    return req.name.lower().replace("_", "-"), str(req.specifier), str(req.marker or "")


def _pyproject(repo_root):
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    return project["dependencies"], project["optional-dependencies"]["dev"]


def _conda(repo_root):
    env = yaml.safe_load((repo_root / "environment.yml").read_text())
    pip = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    conda = [item for item in env["dependencies"] if isinstance(item, str)]
    return env, conda, pip


def test_pip_section_equals_pyproject(repo_root):
    runtime, dev = _pyproject(repo_root)
    _, _, pip = _conda(repo_root)
    wanted = {_normalise(s) for s in runtime + dev}
    listed = {_normalise(s) for s in pip if not s.startswith("-e")}
    assert listed == wanted, (
        f"only in environment.yml: {sorted(listed - wanted)}; only in pyproject.toml: {sorted(wanted - listed)}"
    )


def test_environment_installs_the_course_and_pins_python(repo_root):
    env, conda, pip = _conda(repo_root)
    assert env["name"] == "losslab"
    assert "-e ." in pip, "the conda route must install the losslab package itself"
    python = next(c for c in conda if c.startswith("python"))
    requires = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]["requires-python"]
    assert python.split("=")[-1] in Requirement(f"python{requires}").specifier


def test_a_disagreement_is_detected(repo_root, tmp_path):
    (tmp_path / "pyproject.toml").write_text((repo_root / "pyproject.toml").read_text())
    text = (repo_root / "environment.yml").read_text().replace("      - keras>=3.10\n", "")
    (tmp_path / "environment.yml").write_text(text)
    runtime, dev = _pyproject(tmp_path)
    _, _, pip = _conda(tmp_path)
    assert {_normalise(s) for s in runtime + dev} != {_normalise(s) for s in pip if not s.startswith("-e")}
