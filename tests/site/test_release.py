"""Tests for losslab.site.release: the learners' edition has no answers, and its self-checks still work.

The release is built once per module into a temporary folder. The proof has three parts:

* no solution code: no ``### BEGIN SOLUTION`` region of ``solutions/`` is in any released file
  (a region counts as present in a file when most of its distinctive lines are there), no graded
  function is defined in the package, and no function of the released package passes the
  self-checks of any graded function (lessons use Keras-built losses and decoding helpers, which
  the exercises refuse by name);
* no grading-only check: the released suites hold exactly the instructor's self-checks, and the
  names and test functions of the grading-only checks appear nowhere in the release;
* the self-checks still run there: a Python process that imports ``losslab`` from the release
  runs each exercise's check cells twice, once with the solutions' code put into the graded
  cells (every check passes) and once with the released stubs (every check fails).
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from losslab.exercises.nbtools import TAG_CHECK, TAG_IMPORTS, TAG_SOLUTION, cell_tags
from losslab.exercises.registry import suite_for_exercise, suite_modules
from losslab.site.release import MARKER, RELEASED_PATHS, ReleaseError, build_release, learner_readme, main

MIN_LINE = 20  # a solution line this long (stripped, not a comment) is distinctive


@pytest.fixture(scope="module")
def release(repo_root, tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "losslab-learners"
    return build_release(out, root=repo_root)


def _released_text(summary) -> dict[str, str]:
    texts = {}
    for rel in summary.files:
        raw = (summary.out / rel).read_text(encoding="utf-8", errors="replace")
        if rel.endswith(".ipynb"):
            nb = nbformat.reads(raw, as_version=4)
            raw += "\n" + "\n".join(cell.source for cell in nb.cells)  # sources unescaped too
        texts[rel] = raw
    return texts


def solution_regions(repo_root: Path) -> list[tuple[str, str, list[str]]]:
    """(notebook, function, distinctive lines) for every solution region of solutions/."""
    regions = []
    for path in sorted((repo_root / "solutions").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            function, inside, lines = None, False, []
            for line in cell.source.splitlines():
                stripped = line.strip()
                if stripped.startswith("def ") and not inside:
                    function = stripped[4:].split("(")[0]
                if stripped == "### BEGIN SOLUTION":
                    inside, lines = True, []
                elif stripped == "### END SOLUTION":
                    inside = False
                    regions.append((path.name, function, [s for s in lines if len(s) >= MIN_LINE]))
                elif inside and stripped and not stripped.startswith("#"):
                    lines.append(stripped)
    return regions


def test_release_holds_only_learner_files(release, repo_root):
    top = {rel.split("/")[0] for rel in release.files}
    assert top == {"notebooks", "exercises", "src", "binder", "course.py", "pyproject.toml",
                   "environment.yml", ".gitignore", "README.md", MARKER}  # fmt: skip
    on_disk = sorted(
        str(p.relative_to(release.out))
        for p in release.out.rglob("*")
        if p.is_file() and ".git" not in p.parts
    )
    assert on_disk == release.files
    for forbidden in ("solutions", "tests", "benchmarks", ".ci", "deploy", "Makefile", "CONTRIBUTING.md"):
        assert not (release.out / forbidden).exists(), forbidden
    lessons = sorted(p.name for p in (repo_root / "notebooks").glob("*.ipynb"))
    assert sorted(p.name for p in (release.out / "notebooks").glob("*.ipynb")) == lessons
    assert sorted(p.name for p in (release.out / "exercises").glob("*.ipynb")) == sorted(
        p.name for p in (repo_root / "solutions").glob("*.ipynb")
    )
    for rel in release.files:  # lessons and package files are the instructor's, byte for byte
        if rel.startswith(("notebooks/", "src/")) and "/suites/" not in rel:
            assert (release.out / rel).read_bytes() == (repo_root / rel).read_bytes(), rel
    assert all((repo_root / p.rstrip("/")).exists() for p in RELEASED_PATHS), "a released path vanished"


def solution_leaks(texts: dict[str, set[str]], regions) -> list[str]:
    """Files holding a solution region: all its distinctive lines, or at least 3 and 60% of them."""
    leaks = []
    for notebook, function, lines in regions:
        for rel, present in texts.items():
            found = [line for line in lines if line in present]
            if found and (len(found) == len(lines) or (len(found) >= 3 and len(found) >= 0.6 * len(lines))):
                leaks.append(f"{notebook}:{function} -> {rel}: {found}")
    return leaks


def test_the_leak_detector_finds_copied_solutions(repo_root):
    regions = solution_regions(repo_root)
    copied = {}
    for path in (repo_root / "solutions").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        copied[f"src/copy_of_{path.stem}.py"] = {s.strip() for c in nb.cells for s in c.source.splitlines()}
    found = solution_leaks(copied, regions)
    assert len(found) == sum(1 for _, _, lines in regions if lines), "every region with code is found"


def test_no_solution_code_in_the_release(release, repo_root):
    texts = {
        rel: set(line.strip() for line in text.splitlines()) for rel, text in _released_text(release).items()
    }
    regions = solution_regions(repo_root)
    assert len(regions) >= 30 and sum(len(lines) for _, _, lines in regions) > 100
    leaks = solution_leaks(texts, regions)
    assert not leaks, "solution code in the release:\n" + "\n".join(leaks)
    # The exercises hold no line of any solution region at all.
    exercise_lines = set().union(*(v for k, v in texts.items() if k.startswith("exercises/")))
    own = {line for _, _, lines in regions for line in lines}
    assert not (own & exercise_lines) - _scaffolding(repo_root), sorted(own & exercise_lines)


def _scaffolding(repo_root) -> set[str]:
    """Lines that the solutions also use outside their regions (given to learners on purpose)."""
    lines = set()
    for path in (repo_root / "solutions").glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                inside = {"### BEGIN SOLUTION": True, "### END SOLUTION": False}.get(line.strip(), inside)
                if not inside:
                    lines.add(line.strip())
    return lines


def test_no_graded_function_is_defined_in_the_package(release):
    targets = {c.target for exercise in suite_modules() for c in suite_for_exercise(exercise)}
    defined = {}
    for rel in release.files:
        if rel.startswith("src/") and rel.endswith(".py") and "/suites/" not in rel:
            for node in ast.parse((release.out / rel).read_text(encoding="utf-8")).body:
                if isinstance(node, ast.FunctionDef) and node.name in targets:
                    defined[node.name] = rel
    assert defined == {}, "a graded function's answer is in the learners' package"


# Every function of the released modeling, debugging and data packages is tried as the answer to every
# graded function, against that function's self-checks. Left out: the graded objects that are whole
# designs (a model, a training run, a table of choices), whose checks train models.
_ANSWER_SCANNER = textwrap.dedent(
    """
    import importlib, inspect, json, pkgutil, sys
    import losslab
    from losslab.exercises.checks import run_checks
    from losslab.exercises.registry import suite_for_exercise, suite_modules

    DESIGNS = {"build_digit_model", "train_digit_classifier", "fit_multilabel", "design_choices"}
    modules = [m.name for m in pkgutil.walk_packages(losslab.__path__, "losslab.")
               if m.name.split(".")[1] in ("modeling", "debugging", "data")] + sys.argv[1:]
    found = {}
    for module_name in modules:
        module = importlib.import_module(module_name)
        for name, fn in vars(module).items():
            if inspect.isfunction(fn) and fn.__module__ == module_name:
                found[f"{module_name}.{name}"] = fn
    passing = []
    for exercise in suite_modules():
        checks = suite_for_exercise(exercise)
        for target in sorted({c.target for c in checks} - DESIGNS):
            own = [c for c in checks if c.target == target]
            for qualified, fn in found.items():
                if all(r.passed for r in run_checks(own, {target: fn})):
                    passing.append([target, qualified])
    print(json.dumps({"candidates": sorted(found), "passing": passing}))
    """
)
# mask_loss (exercise 05) is "mean BCE over the labels", equal to Keras' BinaryCrossentropy, which the
# exercise allows; lesson 05 shows it as the correct loss of the question it debugs.
ALLOWED = [
    ["mask_loss", "losslab.debugging.bug_bank.asker_loss"],
    ["mask_loss", "losslab.debugging.bug_bank.mean_bce"],
]


def _scan_for_answers(release, *extra_modules: str, extra_path: Path | None = None) -> dict:
    path = os.pathsep.join(str(p) for p in (release.out / "src", extra_path) if p)
    env = {**os.environ, "PYTHONPATH": path, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", _ANSWER_SCANNER, *extra_modules],
        cwd=release.out, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_no_released_function_passes_a_graded_functions_self_checks(release, repo_root, tmp_path):
    """The proof by behaviour: no function the learners get passes a graded function's self-checks.

    The lessons' Keras-built losses (``keras_zlpr_loss``, ...) and decoding helpers (``top_k_labels``, ...)
    are among the candidates; a solution copied into a module under another name (the control) is found.
    """
    scan = _scan_for_answers(release)
    for name in ("modeling.keras_losses.keras_zlpr_loss", "modeling.decoding.top_k_labels"):
        assert f"losslab.{name}" in scan["candidates"]
    assert len(scan["candidates"]) >= 100
    assert scan["passing"] == ALLOWED, scan["passing"]
    # Control: the solution of asymmetric_loss, renamed, in a module next to the package.
    nb = nbformat.read(repo_root / "solutions" / "06_imbalance_losses.ipynb", as_version=4)
    source = next(c.source for c in nb.cells if "def asymmetric_loss" in c.source)
    probe = tmp_path / "answer_probe.py"
    probe.write_text(
        "import numpy as np\nimport tensorflow as tf\n\n" + source.replace("asymmetric_loss", "asl_copy")
    )
    control = _scan_for_answers(release, "answer_probe", extra_path=tmp_path)
    assert ["asymmetric_loss", "answer_probe.asl_copy"] in control["passing"], control["passing"]


def test_no_grading_only_check_in_the_release(release, repo_root):
    texts = _released_text(release)
    package = "\n".join(t for rel, t in texts.items() if rel.startswith("src/"))
    n_secret = 0
    visible = {c.name for e in suite_modules() for c in suite_for_exercise(e) if c.self_check}
    for exercise, module_name in suite_modules().items():
        checks = suite_for_exercise(exercise)
        secret = [c for c in checks if not c.self_check]
        n_secret += len(secret)
        released = "\n".join(texts[rel] for rel in _suite_files(release.out, module_name))
        for check_ in secret:
            if check_.name not in visible:  # some self-checks share a name ("refuses labels ...")
                assert f'"{check_.name}"' not in package, (
                    f"{exercise}: grading-only check {check_.name!r} released"
                )
            test_name = getattr(check_.test, "__name__", "")
            if test_name.startswith("_") and test_name != "<lambda>":
                assert f"def {test_name}(" not in released, f"{exercise}: {test_name} released"
    assert n_secret >= 15, "the suites should hold grading-only checks for the release to strip"
    assert sum(release.stripped_checks.values()) == n_secret
    # Loaded from the release, each suite holds the self-checks and nothing else.
    script = textwrap.dedent(
        """
        import json, losslab
        from losslab.exercises.registry import suite_for_exercise, suite_modules
        print(json.dumps({"file": losslab.__file__, "suites": {e: [[c.target, c.name, c.points, c.self_check]
              for c in suite_for_exercise(e)] for e in suite_modules()}}))
        """
    )
    got = json.loads(_run_in_release(release, script).splitlines()[-1])
    assert Path(got["file"]).is_relative_to(release.out)
    want = {
        e: [[c.target, c.name, c.points, True] for c in suite_for_exercise(e) if c.self_check]
        for e in suite_modules()
    }
    assert got["suites"] == want


def _suite_files(root: Path, module_name: str) -> list[str]:
    """The files of one suite: ``suites/<name>.py``, or every module of the package ``suites/<name>/``."""
    base = root / "src" / "losslab" / "exercises" / "suites"
    single = base / f"{module_name}.py"
    paths = [single] if single.is_file() else sorted((base / module_name).glob("*.py"))
    assert paths, f"no files for suite {module_name}"
    return [str(p.relative_to(root)) for p in paths]


def _module_names(source: str) -> set[str]:
    return {
        target.id
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign | ast.FunctionDef)
        for target in (node.targets if isinstance(node, ast.Assign) else [ast.Name(node.name)])
        if isinstance(target, ast.Name)
    }


def test_hidden_test_inputs_are_not_released(release, repo_root):
    """Module-level inputs and helpers only grading-only checks use are gone (e.g. soft-label rows)."""
    removed = {}
    for module_name in suite_modules().values():
        gone = set()
        for rel in _suite_files(repo_root, module_name):
            original, released = (repo_root / rel).read_text(), (release.out / rel).read_text()
            names = _module_names(original) - _module_names(released)
            for name in names:
                assert not re.search(rf"\b{re.escape(name)}\b", released), f"{rel}: {name} still referenced"
            gone |= names
        removed[module_name] = gone
    assert {"_SOFT", "_RNG_3D"} <= removed["sigmoid_crossentropy"], "the BCE suite's soft-label inputs"
    assert sum(len(v) for v in removed.values()) >= 15


def test_grading_still_uses_the_grading_only_checks(repo_root):
    from losslab.grading.command import exercise_suites

    suites = exercise_suites()
    assert sum(not c.self_check for checks in suites.values() for c in checks) >= 15


def _run_in_release(release, script: str, timeout: int = 900) -> str:
    env = {**os.environ, "PYTHONPATH": str(release.out / "src"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=release.out,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout


_CHECK_RUNNER = textwrap.dedent(
    """
    import json, sys, nbformat, losslab
    from pathlib import Path
    from losslab.exercises.checks import CheckFailed

    assert Path(losslab.__file__).is_relative_to(Path.cwd()), losslab.__file__
    plan = json.loads(sys.stdin.read())
    report = {}
    for exercise, solution_sources in plan.items():
        nb = nbformat.read(f"exercises/{exercise}.ipynb", as_version=4)
        for mode in ("solution", "stub"):
            namespace, solutions, outcomes = {"__name__": "__main__"}, iter(solution_sources), []
            for cell in nb.cells:
                tags = cell.metadata.get("tags", [])
                if "imports" in tags:
                    exec(cell.source, namespace)
                elif "solution" in tags:
                    source = next(solutions)
                    exec(source if mode == "solution" else cell.source, namespace)
                elif "check" in tags:
                    try:
                        exec(cell.source, namespace)
                        outcomes.append("passed")
                    except CheckFailed:
                        outcomes.append("failed")
            report[f"{exercise} {mode}"] = outcomes
    print(json.dumps(report))
    """
)


@pytest.mark.slow
def test_every_exercise_self_check_runs_in_the_release(release, repo_root):
    plan = {}
    for path in sorted((repo_root / "solutions").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        plan[path.stem] = [c.source for c in nb.cells if TAG_SOLUTION in cell_tags(c)]
        assert any(TAG_IMPORTS in cell_tags(c) for c in nb.cells)
    env = {**os.environ, "PYTHONPATH": str(release.out / "src"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", _CHECK_RUNNER],
        input=json.dumps(plan),
        cwd=release.out,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    for path in sorted((release.out / "exercises").glob("*.ipynb")):
        n_checks = sum(TAG_CHECK in cell_tags(c) for c in nbformat.read(path, as_version=4).cells)
        assert n_checks >= 1
        assert report[f"{path.stem} solution"] == ["passed"] * n_checks, path.stem
        assert report[f"{path.stem} stub"] == ["failed"] * n_checks, path.stem


def test_the_release_is_a_git_repository_nbgitpuller_can_pull(release, repo_root, tmp_path):
    def git(cwd, *args):
        return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout

    assert git(release.out, "status", "--porcelain") == ""
    assert git(release.out, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    clone = tmp_path / "learner"
    git(tmp_path, "clone", "-q", release.out.as_uri(), str(clone))
    assert (clone / "exercises" / "02_softmax_crossentropy.ipynb").is_file()
    # Rebuilding without changes makes no commit; after a change, one new commit on top.
    again = build_release(release.out, root=repo_root)
    assert not again.committed and again.commit == release.commit
    (release.out / "notebooks" / "stray.txt").write_text("left by hand\n")
    third = build_release(release.out, root=repo_root)
    assert not (release.out / "notebooks" / "stray.txt").exists() and not third.committed
    marker = json.loads((release.out / MARKER).read_text())
    assert marker["suites_stripped"] == release.stripped_checks


def test_refuses_a_folder_that_is_not_a_release(repo_root, tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(ReleaseError, match="not an earlier Loss Lab release"):
        build_release(tmp_path, root=repo_root)
    with pytest.raises(ReleaseError, match="inside the course checkout"):
        build_release(repo_root / "release-out", root=repo_root)
    assert main(["--out", str(tmp_path)]) == 2


def test_learner_readme_keeps_the_syllabus_and_drops_instructor_sections(repo_root):
    text = learner_readme((repo_root / "README.md").read_text(encoding="utf-8"))
    assert "## Syllabus" in text and "notebooks/01_multiclass_vs_multilabel.ipynb" in text
    assert "python3 course.py lab" in text
    for instructor_only in ("losslab grade", "solutions/", "grading_class", "## For instructors"):
        assert instructor_only not in text
